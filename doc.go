// Package triage is the domain of the triage service: the plain types every
// other package shares (tickets, comments, agents, teams, tokens, rules,
// articles, suggestions), the one error type with its codes, and the
// interfaces that stand at I/O boundaries (stores, indexes, embedders).
//
// It imports only the standard library so that every adapter and every
// logic package can depend on it without depending on each other.
package triage
