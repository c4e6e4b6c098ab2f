-- Automations (自动化): triggers and time rules with their conditions and
-- actions, and the log of every firing with its reasons. The conventions
-- of 00001 hold: INTEGER microseconds UTC, '' for absent strings, JSON text
-- (never NULL) for lists and objects, STRICT tables.

-- +goose Up
CREATE TABLE automations (
	id         TEXT    NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	events     TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(events) = 'array'),
	match      TEXT    NOT NULL DEFAULT 'all',
	conditions TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(conditions) = 'array'),
	actions    TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(actions) = 'array'),
	age        TEXT    NOT NULL DEFAULT 'null',
	position   INTEGER NOT NULL DEFAULT 0,
	stop       INTEGER NOT NULL DEFAULT 0,
	enabled    INTEGER NOT NULL DEFAULT 1,
	author_id  TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL
) STRICT;

-- One firing per automation, ticket and key: a retried event job or a
-- second sweep finds it and does nothing. No foreign key to tickets: the
-- log outlives a purged ticket.
CREATE TABLE automation_runs (
	seq           INTEGER NOT NULL PRIMARY KEY,
	id            TEXT    NOT NULL UNIQUE,
	automation_id TEXT    NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
	ticket_id     TEXT    NOT NULL,
	event         TEXT    NOT NULL,
	key           TEXT    NOT NULL,
	why           TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(why) = 'array'),
	changes       TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(changes) = 'array'),
	at            INTEGER NOT NULL,
	UNIQUE (automation_id, ticket_id, key)
) STRICT;
CREATE INDEX automation_runs_recent ON automation_runs (at DESC, seq DESC);
CREATE INDEX automation_runs_ticket ON automation_runs (ticket_id, at DESC);

-- +goose Down
DROP TABLE automation_runs;
DROP TABLE automations;
