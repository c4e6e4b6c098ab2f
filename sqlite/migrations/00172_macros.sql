-- Macros (快捷回复): canned replies with variables and actions, their
-- version history, and every reply sent with one (for the counts and for
-- ranking by what agents used on similar tickets). The conventions of
-- 00001 hold: INTEGER microseconds UTC, '' for absent strings, JSON text
-- (never NULL) for lists and objects, STRICT tables.

-- +goose Up
CREATE TABLE macros (
	id         TEXT    NOT NULL PRIMARY KEY,
	title      TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	scope      TEXT    NOT NULL,
	team_id    TEXT    NOT NULL DEFAULT '',
	agent_id   TEXT    NOT NULL DEFAULT '',
	actions    TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(actions) = 'object'),
	archived   INTEGER NOT NULL DEFAULT 0,
	author_id  TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL
) STRICT;

CREATE TABLE macro_versions (
	macro_id   TEXT    NOT NULL REFERENCES macros (id) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	title      TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	scope      TEXT    NOT NULL,
	team_id    TEXT    NOT NULL DEFAULT '',
	agent_id   TEXT    NOT NULL DEFAULT '',
	actions    TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(actions) = 'object'),
	archived   INTEGER NOT NULL DEFAULT 0,
	actor      TEXT    NOT NULL DEFAULT '',
	note       TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	PRIMARY KEY (macro_id, version)
) STRICT;

-- No foreign key to tickets or comments: a use is a count, kept when a
-- ticket is purged.
CREATE TABLE macro_uses (
	seq        INTEGER NOT NULL PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	macro_id   TEXT    NOT NULL REFERENCES macros (id) ON DELETE CASCADE,
	ticket_id  TEXT    NOT NULL,
	comment_id TEXT    NOT NULL DEFAULT '',
	actor      TEXT    NOT NULL DEFAULT '',
	edited     INTEGER NOT NULL DEFAULT 0,
	terms      TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(terms) = 'array'),
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX macro_uses_macro ON macro_uses (macro_id);
CREATE INDEX macro_uses_recent ON macro_uses (created_at DESC, seq DESC);

-- +goose Down
DROP TABLE macro_uses;
DROP TABLE macro_versions;
DROP TABLE macros;
