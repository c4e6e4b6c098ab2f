-- Keyword rules, the user dictionary, trained models and the routing queue:
-- the twin of sqlite/migrations/00002. The conventions of 00001 hold.

-- +goose Up
-- The store does not validate rules (the service does), so the columns take
-- what they are given; only their types are enforced. any, all and none are
-- SQL keywords, hence the _words suffix.
CREATE TABLE rules (
	id           text COLLATE "C" NOT NULL PRIMARY KEY,
	name         text COLLATE "C" NOT NULL DEFAULT '',
	position     integer NOT NULL DEFAULT 0,
	enabled      boolean NOT NULL DEFAULT false,
	any_words    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(any_words) = 'array'),
	all_words    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(all_words) = 'array'),
	none_words   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(none_words) = 'array'),
	regex        text COLLATE "C" NOT NULL DEFAULT '',
	channels     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(channels) = 'array'),
	tiers        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tiers) = 'array'),
	set_category text COLLATE "C" NOT NULL DEFAULT '',
	set_priority text COLLATE "C" NOT NULL DEFAULT '',
	add_tags     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(add_tags) = 'array'),
	mode         text COLLATE "C" NOT NULL DEFAULT '',
	-- double precision, so a weight reads back exactly.
	weight       double precision NOT NULL DEFAULT 0,
	stop         boolean NOT NULL DEFAULT false,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	version      integer NOT NULL
);
-- Evaluation order.
CREATE INDEX rules_position ON rules (position, id);

-- Listed in word order: COLLATE "C" is UTF-8 byte order, Go's string order.
CREATE TABLE dict_words (
	word       text COLLATE "C" NOT NULL PRIMARY KEY,
	freq       integer NOT NULL DEFAULT 0,
	tag        text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL
);

-- Every trained model is kept, so that an earlier one can be activated
-- again. version is the model's label, not a row version.
CREATE TABLE models (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	kind       text COLLATE "C" NOT NULL,
	version    text COLLATE "C" NOT NULL DEFAULT '',
	active     boolean NOT NULL DEFAULT false,
	info       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(info) = 'object'),
	blob       bytea NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL
);
-- Models lists a kind newest first from this index.
CREATE INDEX models_kind ON models (kind, created_at DESC, id DESC);
-- At most one active model per kind, whatever the code does.
CREATE UNIQUE INDEX models_active ON models (kind) WHERE active;

-- The routing queue: WaitingTickets repeats this WHERE clause and reads the
-- index in order, most urgent (P1 < P2 < P3 < P4 as text) and then oldest
-- first, without a sort.
CREATE INDEX tickets_waiting ON tickets (priority, created_at, id)
	WHERE status IN ('new', 'open', 'pending') AND assignee_id = '' AND category <> '' AND NOT needs_review;

-- +goose Down
DROP INDEX tickets_waiting;
DROP TABLE models;
DROP TABLE dict_words;
DROP TABLE rules;
