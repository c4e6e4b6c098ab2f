-- Keyword rules, the user dictionary, trained models and the routing queue.
-- The conventions of 00001 hold: INTEGER microseconds UTC, '' for absent
-- strings, JSON text (never NULL) for lists, STRICT tables.

-- +goose Up
-- The store does not validate rules (the service does), so the columns take
-- what they are given; only their types are enforced. any, all and none are
-- SQL keywords, hence the _words suffix.
CREATE TABLE rules (
	id           TEXT    NOT NULL PRIMARY KEY,
	name         TEXT    NOT NULL DEFAULT '',
	position     INTEGER NOT NULL DEFAULT 0,
	enabled      INTEGER NOT NULL DEFAULT 0,
	any_words    TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(any_words) = 'array'),
	all_words    TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(all_words) = 'array'),
	none_words   TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(none_words) = 'array'),
	regex        TEXT    NOT NULL DEFAULT '',
	channels     TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(channels) = 'array'),
	tiers        TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(tiers) = 'array'),
	set_category TEXT    NOT NULL DEFAULT '',
	set_priority TEXT    NOT NULL DEFAULT '',
	add_tags     TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(add_tags) = 'array'),
	mode         TEXT    NOT NULL DEFAULT '',
	weight       REAL    NOT NULL DEFAULT 0,
	stop         INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	version      INTEGER NOT NULL
) STRICT;
-- Evaluation order.
CREATE INDEX rules_position ON rules (position, id);

-- Listed in word order: BINARY collation, which is UTF-8 byte order (and so
-- code point order), the same order as Go's string comparison.
CREATE TABLE dict_words (
	word       TEXT    NOT NULL PRIMARY KEY,
	freq       INTEGER NOT NULL DEFAULT 0,
	tag        TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Every trained model is kept, so that an earlier one can be activated
-- again. version is the model's label (e.g. "2026-11-22.1"), not a row
-- version: models are written once and only their active flag changes.
CREATE TABLE models (
	id         TEXT    NOT NULL PRIMARY KEY,
	kind       TEXT    NOT NULL,
	version    TEXT    NOT NULL DEFAULT '',
	active     INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
	info       TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(info) = 'object'),
	blob       BLOB    NOT NULL DEFAULT x'',
	created_at INTEGER NOT NULL
) STRICT;
-- Models lists a kind newest first from this index.
CREATE INDEX models_kind ON models (kind, created_at DESC, id DESC);
-- At most one active model per kind, whatever the code does. ActiveModel
-- repeats the WHERE term literally so that it reads this index.
CREATE UNIQUE INDEX models_active ON models (kind) WHERE active = 1;

-- The routing queue: WaitingTickets repeats this WHERE clause literally and
-- reads the index in order, most urgent (P1 < P2 < P3 < P4 as text) and then
-- oldest first, without a sort. assignee_id is always '' here, but leading
-- with it gives the query an equality on the index; without it the planner
-- prefers tickets_active_load (assignee_id = '') and sorts.
CREATE INDEX tickets_waiting ON tickets (assignee_id, priority, created_at, id)
	WHERE status IN ('new', 'open', 'pending') AND assignee_id = '' AND category <> '' AND needs_review = 0;

-- +goose Down
DROP INDEX tickets_waiting;
DROP TABLE models;
DROP TABLE dict_words;
DROP TABLE rules;
