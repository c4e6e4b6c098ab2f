-- The customer's side (issue 19): the twin of sqlite/migrations/00250.
-- The conventions of 00001 hold.

-- +goose Up
CREATE TABLE help_events (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         text COLLATE "C" NOT NULL UNIQUE,
	kind       text COLLATE "C" NOT NULL,
	session    text COLLATE "C" NOT NULL DEFAULT '',
	contact    text COLLATE "C" NOT NULL DEFAULT '',
	category   text NOT NULL DEFAULT '',
	article_id text COLLATE "C" NOT NULL DEFAULT '',
	ticket_id  text COLLATE "C" NOT NULL DEFAULT '',
	query      text NOT NULL DEFAULT '',
	detail     text NOT NULL DEFAULT '',
	confidence double precision NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL
);
CREATE INDEX help_events_created ON help_events (created_at, seq);

-- One-time links live in one_time_links (00230), shared with staff sign-in.

CREATE TABLE requester_sessions (
	hash       text COLLATE "C" NOT NULL PRIMARY KEY,
	email      text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);

ALTER TABLE help_settings ADD COLUMN ask_category boolean NOT NULL DEFAULT false;
ALTER TABLE help_settings ADD COLUMN widget_origins text NOT NULL DEFAULT '[]';

ALTER TABLE help_settings ADD COLUMN confirm_email boolean NOT NULL DEFAULT false;

CREATE TABLE help_requests (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	email      text COLLATE "C" NOT NULL,
	payload    bytea NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX help_requests_expires ON help_requests (expires_at);

-- +goose Down
ALTER TABLE help_settings DROP COLUMN confirm_email;
DROP TABLE help_requests;
ALTER TABLE help_settings DROP COLUMN widget_origins;
ALTER TABLE help_settings DROP COLUMN ask_category;
DROP TABLE requester_sessions;
DROP TABLE help_events;
