-- Webhooks and their deliveries, ticket links (probable duplicates,
-- merges) and the pointer from a merged ticket to its survivor. The
-- conventions of 00001 hold: INTEGER microseconds UTC, '' for absent
-- strings, JSON text (never NULL) for lists, STRICT tables.

-- +goose Up
CREATE TABLE webhooks (
	id          TEXT    NOT NULL PRIMARY KEY,
	url         TEXT    NOT NULL,
	events      TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(events) = 'array'),
	description TEXT    NOT NULL DEFAULT '',
	active      INTEGER NOT NULL DEFAULT 1,
	-- Kept in clear: a signature needs the key itself.
	signing_key TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	version     INTEGER NOT NULL
) STRICT;

-- One row per event per webhook, updated by each attempt. The unique
-- (webhook_id, event_key) makes a re-run fan-out a no-op.
CREATE TABLE webhook_deliveries (
	seq             INTEGER NOT NULL PRIMARY KEY,
	id              TEXT    NOT NULL UNIQUE,
	webhook_id      TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event           TEXT    NOT NULL,
	event_key       TEXT    NOT NULL,
	status          TEXT    NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	response_status INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	duration_us     INTEGER NOT NULL DEFAULT 0,
	log             TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(log) = 'array'),
	payload         TEXT    NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	completed_at    INTEGER
) STRICT;
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (webhook_id, event_key);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_completed ON webhook_deliveries (completed_at) WHERE completed_at IS NOT NULL;

CREATE TABLE ticket_links (
	seq        INTEGER NOT NULL PRIMARY KEY,
	from_id    TEXT    NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	to_id      TEXT    NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	kind       TEXT    NOT NULL CHECK (kind IN ('duplicate', 'merged')),
	score      REAL    NOT NULL DEFAULT 0,
	why        TEXT    NOT NULL DEFAULT '',
	actor      TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	UNIQUE (from_id, to_id, kind)
) STRICT;
CREATE INDEX ticket_links_to ON ticket_links (to_id);

ALTER TABLE tickets ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';

-- Reports count by the time each event happened; these keep a range of
-- solved or closed tickets from scanning the whole table.
CREATE INDEX tickets_solved ON tickets (solved_at) WHERE solved_at IS NOT NULL;
CREATE INDEX tickets_closed ON tickets (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX tickets_first_response ON tickets (first_response_at) WHERE first_response_at IS NOT NULL;

-- +goose Down
DROP INDEX tickets_first_response;
DROP INDEX tickets_closed;
DROP INDEX tickets_solved;
ALTER TABLE tickets DROP COLUMN merged_into;
DROP TABLE ticket_links;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
