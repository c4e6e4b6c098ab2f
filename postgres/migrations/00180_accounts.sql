-- Staff sign-in (issue 18): the twin of sqlite/migrations/00180. The
-- conventions of 00001 hold.

-- +goose Up
CREATE TABLE accounts (
	agent_id           text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
	role               text COLLATE "C" NOT NULL,
	password_hash      text COLLATE "C" NOT NULL DEFAULT '',
	password_generated boolean NOT NULL DEFAULT false,
	password_set_at    timestamptz,
	disabled_at        timestamptz,
	created_at         timestamptz NOT NULL,
	updated_at         timestamptz NOT NULL,
	version            integer NOT NULL
);

-- A session is found by the hash of its cookie's secret.
CREATE TABLE sessions (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	agent_id   text COLLATE "C" NOT NULL REFERENCES accounts (agent_id) ON DELETE CASCADE,
	hash       text COLLATE "C" NOT NULL UNIQUE,
	ip         text COLLATE "C" NOT NULL DEFAULT '',
	user_agent text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	revoked_at timestamptz
);
CREATE INDEX sessions_agent ON sessions (agent_id, created_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE accounts;
