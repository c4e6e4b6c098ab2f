-- Imported tickets: which ticket each record of another helpdesk's export
-- became, keyed by the source system and the ticket's id there, so an
-- import run twice (or resumed) makes each ticket once. The conventions of
-- 00001 hold: INTEGER microseconds UTC, STRICT tables.

-- +goose Up
CREATE TABLE import_keys (
	source      TEXT    NOT NULL,
	external_id TEXT    NOT NULL,
	ticket_id   TEXT    NOT NULL,
	imported_at INTEGER NOT NULL,
	PRIMARY KEY (source, external_id)
) STRICT;
CREATE INDEX import_keys_ticket ON import_keys (ticket_id);

-- +goose Down
DROP TABLE import_keys;
