-- Staff sign-in (issue 18): an agent's account (role, password hash) and
-- its sessions. The conventions of 00001 hold: INTEGER microseconds UTC,
-- '' for absent strings, STRICT tables.

-- +goose Up
CREATE TABLE accounts (
	agent_id           TEXT    NOT NULL PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
	role               TEXT    NOT NULL,
	password_hash      TEXT    NOT NULL DEFAULT '',
	password_generated INTEGER NOT NULL DEFAULT 0,
	password_set_at    INTEGER,
	disabled_at        INTEGER,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	version            INTEGER NOT NULL
) STRICT;

-- A session is found by the hash of its cookie's secret.
CREATE TABLE sessions (
	id         TEXT    NOT NULL PRIMARY KEY,
	agent_id   TEXT    NOT NULL REFERENCES accounts (agent_id) ON DELETE CASCADE,
	hash       TEXT    NOT NULL UNIQUE,
	ip         TEXT    NOT NULL DEFAULT '',
	user_agent TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER
) STRICT;
CREATE INDEX sessions_agent ON sessions (agent_id, created_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE accounts;
