package api

import "github.com/triagehq/triage"

// Who may call a route: the role sets of the route table, declared once.
// Each returns a new slice, so no route can change another's.

// anyone is every role of a person: everyone but the mail integration,
// which may only deliver mail.
func anyone() []triage.Role {
	return []triage.Role{triage.RoleAdmin, triage.RoleAgent, triage.RoleEditor, triage.RoleViewer}
}

// everyone is every role, the mail integration's included.
func everyone() []triage.Role { return triage.Roles() }

// mailers deliver inbound mail: the mail integration, and admins.
func mailers() []triage.Role { return []triage.Role{triage.RoleAdmin, triage.RoleMail} }

// workers work tickets.
func workers() []triage.Role { return []triage.Role{triage.RoleAdmin, triage.RoleAgent} }

// staff write: everyone but viewers.
func staff() []triage.Role {
	return []triage.Role{triage.RoleAdmin, triage.RoleAgent, triage.RoleEditor}
}

// editors curate the knowledge base and the dictionary.
func editors() []triage.Role { return []triage.Role{triage.RoleAdmin, triage.RoleEditor} }

// admins manage the service.
func admins() []triage.Role { return []triage.Role{triage.RoleAdmin} }

// agentsSelf may act on themselves only (SelfOnly).
func agentsSelf() []triage.Role { return []triage.Role{triage.RoleAgent} }

// bots answer customers from public articles: the bot role, and admins.
func bots() []triage.Role { return []triage.Role{triage.RoleAdmin, triage.RoleBot} }
