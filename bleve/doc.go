// Package bleve is the lexical index: triage.TextIndex on bleve.
package bleve
