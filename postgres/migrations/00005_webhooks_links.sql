-- Webhooks and their deliveries, ticket links (probable duplicates,
-- merges) and the pointer from a merged ticket to its survivor: the twin of
-- sqlite/migrations/00005. The conventions of 00001 hold.

-- +goose Up
CREATE TABLE webhooks (
	id          text COLLATE "C" NOT NULL PRIMARY KEY,
	url         text COLLATE "C" NOT NULL,
	events      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(events) = 'array'),
	description text COLLATE "C" NOT NULL DEFAULT '',
	active      boolean NOT NULL DEFAULT true,
	-- Kept in clear: a signature needs the key itself.
	signing_key text COLLATE "C" NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	version     integer NOT NULL
);

-- One row per event per webhook, updated by each attempt. The unique
-- (webhook_id, event_key) makes a re-run fan-out a no-op. payload is text,
-- not jsonb, so the body is sent exactly as it was fixed at fan-out (jsonb
-- would reorder keys and drop duplicates, and the signature covers bytes).
CREATE TABLE webhook_deliveries (
	seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id              text COLLATE "C" NOT NULL UNIQUE,
	webhook_id      text COLLATE "C" NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event           text COLLATE "C" NOT NULL,
	event_key       text COLLATE "C" NOT NULL,
	status          text COLLATE "C" NOT NULL,
	attempts        integer NOT NULL DEFAULT 0,
	response_status integer NOT NULL DEFAULT 0,
	last_error      text COLLATE "C" NOT NULL DEFAULT '',
	duration_us     bigint NOT NULL DEFAULT 0,
	log             jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(log) = 'array'),
	payload         text COLLATE "C" NOT NULL,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL,
	completed_at    timestamptz
);
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (webhook_id, event_key);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_completed ON webhook_deliveries (completed_at) WHERE completed_at IS NOT NULL;

CREATE TABLE ticket_links (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	from_id    text COLLATE "C" NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	to_id      text COLLATE "C" NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	kind       text COLLATE "C" NOT NULL CHECK (kind IN ('duplicate', 'merged')),
	score      double precision NOT NULL DEFAULT 0,
	why        text COLLATE "C" NOT NULL DEFAULT '',
	actor      text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	UNIQUE (from_id, to_id, kind)
);
CREATE INDEX ticket_links_to ON ticket_links (to_id);

ALTER TABLE tickets ADD COLUMN merged_into text COLLATE "C" NOT NULL DEFAULT '';

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
