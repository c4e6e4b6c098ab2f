-- Imported tickets, keyed by source system and source id: the twin of
-- sqlite/migrations/00280. The conventions of 00001 hold.

-- +goose Up
CREATE TABLE import_keys (
	source      text COLLATE "C" NOT NULL,
	external_id text COLLATE "C" NOT NULL,
	ticket_id   text COLLATE "C" NOT NULL,
	imported_at timestamptz NOT NULL,
	PRIMARY KEY (source, external_id)
);
CREATE INDEX import_keys_ticket ON import_keys (ticket_id);

-- +goose Down
DROP TABLE import_keys;
