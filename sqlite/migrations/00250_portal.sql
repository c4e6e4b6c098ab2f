-- The customer's side (issue 19): the request form, the requesters'
-- portal and the answer API. The conventions of 00001 hold: INTEGER
-- microseconds UTC, '' for absent strings, STRICT tables.

-- +goose Up
-- What customers did, for the deflection report. contact is a hash
-- (triage.ContactKey), never an address.
CREATE TABLE help_events (
	seq        INTEGER NOT NULL PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	kind       TEXT    NOT NULL,
	session    TEXT    NOT NULL DEFAULT '',
	contact    TEXT    NOT NULL DEFAULT '',
	category   TEXT    NOT NULL DEFAULT '',
	article_id TEXT    NOT NULL DEFAULT '',
	ticket_id  TEXT    NOT NULL DEFAULT '',
	query      TEXT    NOT NULL DEFAULT '',
	detail     TEXT    NOT NULL DEFAULT '',
	confidence REAL    NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX help_events_created ON help_events (created_at, seq);

-- One-time links live in one_time_links (00230), shared with staff sign-in.

-- Requesters signed in to "my tickets".
CREATE TABLE requester_sessions (
	hash       TEXT    NOT NULL PRIMARY KEY,
	email      TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;

-- The form asks for a category when the company wants it; the widget
-- may be embedded on these origins (a JSON array).
ALTER TABLE help_settings ADD COLUMN ask_category INTEGER NOT NULL DEFAULT 0;
ALTER TABLE help_settings ADD COLUMN widget_origins TEXT NOT NULL DEFAULT '[]';

ALTER TABLE help_settings ADD COLUMN confirm_email INTEGER NOT NULL DEFAULT 0;

-- Requests held until the customer confirms their address (when the
-- company turns confirmation on): the form as sent, files included.
CREATE TABLE help_requests (
	id         TEXT    NOT NULL PRIMARY KEY,
	email      TEXT    NOT NULL,
	payload    BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX help_requests_expires ON help_requests (expires_at);

-- +goose Down
ALTER TABLE help_settings DROP COLUMN confirm_email;
DROP TABLE help_requests;
ALTER TABLE help_settings DROP COLUMN widget_origins;
ALTER TABLE help_settings DROP COLUMN ask_category;
DROP TABLE requester_sessions;
DROP TABLE help_events;
