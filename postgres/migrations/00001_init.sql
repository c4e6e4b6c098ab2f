-- The first schema, the PostgreSQL twin of sqlite/migrations/00001_init.sql:
-- the same tables, columns and meaning, so that both stores behave alike.
-- Conventions, so that every table reads the same way:
--   * times are timestamptz, which keeps microseconds: the instant the
--     embedded store keeps as INTEGER microseconds;
--   * optional strings are '' rather than NULL, matching the Go zero value;
--   * lists and maps are jsonb, never NULL;
--   * text is COLLATE "C": comparisons and ORDER BY go by the bytes of the
--     UTF-8, which is Go's string order and SQLite's BINARY collation, not a
--     locale's (which would also differ from one server to the next);
--   * matches that ignore case fold ASCII only (ascii_lower), as SQLite's
--     NOCASE does, so both stores find the same rows.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION ascii_lower(s text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') $$;
-- +goose StatementEnd

CREATE TABLE tickets (
	id                text COLLATE "C" NOT NULL PRIMARY KEY,
	title             text COLLATE "C" NOT NULL,
	body              text COLLATE "C" NOT NULL,
	requester_name    text COLLATE "C" NOT NULL DEFAULT '',
	requester_email   text COLLATE "C" NOT NULL DEFAULT '',
	requester_phone   text COLLATE "C" NOT NULL DEFAULT '',
	requester_tier    text COLLATE "C" NOT NULL DEFAULT '',
	channel           text COLLATE "C" NOT NULL DEFAULT '',
	tags              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
	fields            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(fields) = 'object'),
	status            text COLLATE "C" NOT NULL,
	priority          text COLLATE "C" NOT NULL DEFAULT '',
	category          text COLLATE "C" NOT NULL DEFAULT '',
	assignee_id       text COLLATE "C" NOT NULL DEFAULT '',
	team_id           text COLLATE "C" NOT NULL DEFAULT '',
	needs_review      boolean NOT NULL DEFAULT false,
	created_at        timestamptz NOT NULL,
	updated_at        timestamptz NOT NULL,
	first_response_at timestamptz,
	solved_at         timestamptz,
	closed_at         timestamptz,
	version           integer NOT NULL
);

-- The list order, and the tail of every filtered index below, is
-- (created_at DESC, id DESC), so a filtered page is an index range scan.
CREATE INDEX tickets_created ON tickets (created_at DESC, id DESC);
CREATE INDEX tickets_status ON tickets (status, created_at DESC, id DESC);
CREATE INDEX tickets_assignee ON tickets (assignee_id, created_at DESC, id DESC);
CREATE INDEX tickets_team ON tickets (team_id, created_at DESC, id DESC);
CREATE INDEX tickets_category ON tickets (category, created_at DESC, id DESC);
-- The repeat-contact check repeats these expressions and WHERE terms.
CREATE INDEX tickets_requester_email ON tickets (ascii_lower(requester_email)) WHERE requester_email <> '';
CREATE INDEX tickets_requester_phone ON tickets (requester_phone) WHERE requester_phone <> '';
CREATE INDEX tickets_needs_review ON tickets (created_at DESC, id DESC) WHERE needs_review;
-- AgentLoads reads only the active tickets; the status list is
-- triage.Status.Active.
CREATE INDEX tickets_active_load ON tickets (assignee_id, priority)
	WHERE status IN ('new', 'open', 'pending');
-- TicketFilter.Tag is a containment test (tags @> '["vip"]').
CREATE INDEX tickets_tags ON tickets USING gin (tags jsonb_path_ops);

-- seq keeps insertion order among rows written in the same microsecond.
CREATE TABLE comments (
	seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id             text COLLATE "C" NOT NULL UNIQUE,
	ticket_id      text COLLATE "C" NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	author_id      text COLLATE "C" NOT NULL DEFAULT '',
	from_requester boolean NOT NULL DEFAULT false,
	body           text COLLATE "C" NOT NULL,
	public         boolean NOT NULL DEFAULT false,
	created_at     timestamptz NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, created_at, seq);

CREATE TABLE history (
	seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id        text COLLATE "C" NOT NULL UNIQUE,
	ticket_id text COLLATE "C" NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	actor     text COLLATE "C" NOT NULL DEFAULT '',
	at        timestamptz NOT NULL,
	field     text COLLATE "C" NOT NULL,
	old       text COLLATE "C" NOT NULL DEFAULT '',
	new       text COLLATE "C" NOT NULL DEFAULT '',
	note      text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX history_ticket ON history (ticket_id, at, seq);

-- One row per ticket: what triage predicted at intake. The decisions are
-- jsonb because their shape is for reading, not for querying; evaluation can
-- still reach into them with ->.
CREATE TABLE triage_records (
	ticket_id     text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
	category      jsonb NOT NULL CHECK (jsonb_typeof(category) = 'object'),
	priority      jsonb NOT NULL CHECK (jsonb_typeof(priority) = 'object'),
	assignee      jsonb NOT NULL CHECK (jsonb_typeof(assignee) = 'object'),
	needs_review  boolean NOT NULL DEFAULT false,
	model_version text COLLATE "C" NOT NULL DEFAULT '',
	explanation   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(explanation) = 'object'),
	created_at    timestamptz NOT NULL
);

-- Tickets keep assignee and team ids without foreign keys: an agent or team
-- can be deleted while its old tickets (and their history) stay as they were.
CREATE TABLE agents (
	id               text COLLATE "C" NOT NULL,
	name             text COLLATE "C" NOT NULL,
	email            text COLLATE "C" NOT NULL DEFAULT '',
	skills           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(skills) = 'array'),
	capacity         integer NOT NULL DEFAULT 0,
	online           boolean NOT NULL DEFAULT false,
	last_assigned_at timestamptz,
	created_at       timestamptz NOT NULL,
	updated_at       timestamptz NOT NULL,
	version          integer NOT NULL,
	CONSTRAINT agents_pkey PRIMARY KEY (id)
);
-- An e-mail names one agent, whatever its ASCII case; agents without one
-- are allowed any number. The store tells this violation from a duplicate
-- id by the index's name.
CREATE UNIQUE INDEX agents_email ON agents (ascii_lower(email)) WHERE email <> '';

CREATE TABLE teams (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	name       text COLLATE "C" NOT NULL,
	members    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(members) = 'array'),
	lead_id    text COLLATE "C" NOT NULL DEFAULT '',
	categories jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(categories) = 'array'),
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	version    integer NOT NULL
);

CREATE TABLE tokens (
	id         text COLLATE "C" NOT NULL,
	name       text COLLATE "C" NOT NULL DEFAULT '',
	role       text COLLATE "C" NOT NULL,
	agent_id   text COLLATE "C" NOT NULL DEFAULT '',
	prefix     text COLLATE "C" NOT NULL DEFAULT '',
	hash       text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	revoked_at timestamptz,
	CONSTRAINT tokens_pkey PRIMARY KEY (id),
	CONSTRAINT tokens_hash UNIQUE (hash)
);

CREATE TABLE idempotency_keys (
	scope        text COLLATE "C" NOT NULL,
	key          text COLLATE "C" NOT NULL,
	request_hash text COLLATE "C" NOT NULL DEFAULT '',
	status       integer NOT NULL,
	body         bytea NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL,
	PRIMARY KEY (scope, key)
);
-- For expiring old keys.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The ordered change log that derived indexes (each replica's text index)
-- follow. seq is not a sequence's nextval: values taken from a sequence are
-- handed out in the order transactions ask, not the order they commit, so a
-- follower could read 11 while 10 is still uncommitted, move past 10 and
-- never see it. Instead every writing transaction numbers its entries just
-- before it commits, from the one row of change_counter, whose row lock it
-- then holds until it commits: the next writer waits, and continues from the
-- committed value. So seq is gap-free and in commit order, and any
-- snapshot of this table is a prefix of the log.
CREATE TABLE changes (
	seq    bigint NOT NULL PRIMARY KEY,
	entity text COLLATE "C" NOT NULL,
	id     text COLLATE "C" NOT NULL,
	op     text COLLATE "C" NOT NULL CHECK (op IN ('create', 'update', 'delete')),
	at     timestamptz NOT NULL
);

CREATE TABLE change_counter (
	one boolean NOT NULL PRIMARY KEY DEFAULT true CHECK (one),
	seq bigint  NOT NULL
);
INSERT INTO change_counter (seq) VALUES (0);

-- Names this database, so that a replica can tell that a text index on its
-- disk was built from another one (a restored backup, a new database at the
-- same URL) and rebuild it rather than trust it.
CREATE TABLE store_identity (
	one boolean NOT NULL PRIMARY KEY DEFAULT true CHECK (one),
	id  uuid    NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO store_identity DEFAULT VALUES;

-- +goose Down
DROP TABLE store_identity;
DROP TABLE change_counter;
DROP TABLE changes;
DROP TABLE idempotency_keys;
DROP TABLE tokens;
DROP TABLE teams;
DROP TABLE agents;
DROP TABLE triage_records;
DROP TABLE history;
DROP TABLE comments;
DROP TABLE tickets;
DROP FUNCTION ascii_lower(text);
