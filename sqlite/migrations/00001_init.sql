-- The first schema. Conventions, so that every table reads the same way:
--   * times are INTEGER microseconds since the Unix epoch, UTC: they sort and
--     compare as numbers, and microseconds are what Postgres keeps too, so
--     both stores round-trip the same instant;
--   * optional strings are '' rather than NULL, matching the Go zero value;
--   * lists and maps are JSON text, never NULL;
--   * tables are STRICT, so a wrong type is an error rather than a surprise.

-- +goose Up
CREATE TABLE tickets (
	id                TEXT    NOT NULL PRIMARY KEY,
	title             TEXT    NOT NULL,
	body              TEXT    NOT NULL,
	requester_name    TEXT    NOT NULL DEFAULT '',
	-- NOCASE: a repeat-contact check must find Foo@x.cn and foo@x.cn alike.
	requester_email   TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
	requester_phone   TEXT    NOT NULL DEFAULT '',
	requester_tier    TEXT    NOT NULL DEFAULT '',
	channel           TEXT    NOT NULL DEFAULT '',
	tags              TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(tags) = 'array'),
	fields            TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(fields) = 'object'),
	status            TEXT    NOT NULL,
	priority          TEXT    NOT NULL DEFAULT '',
	category          TEXT    NOT NULL DEFAULT '',
	assignee_id       TEXT    NOT NULL DEFAULT '',
	team_id           TEXT    NOT NULL DEFAULT '',
	needs_review      INTEGER NOT NULL DEFAULT 0,
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	first_response_at INTEGER,
	solved_at         INTEGER,
	closed_at         INTEGER,
	version           INTEGER NOT NULL
) STRICT;

-- The list order, and the tail of every filtered index below, is
-- (created_at DESC, id DESC), so a filtered page is an index range scan.
CREATE INDEX tickets_created ON tickets (created_at DESC, id DESC);
CREATE INDEX tickets_status ON tickets (status, created_at DESC, id DESC);
CREATE INDEX tickets_assignee ON tickets (assignee_id, created_at DESC, id DESC);
CREATE INDEX tickets_team ON tickets (team_id, created_at DESC, id DESC);
CREATE INDEX tickets_category ON tickets (category, created_at DESC, id DESC);
CREATE INDEX tickets_requester_email ON tickets (requester_email) WHERE requester_email <> '';
CREATE INDEX tickets_requester_phone ON tickets (requester_phone) WHERE requester_phone <> '';
CREATE INDEX tickets_needs_review ON tickets (created_at DESC, id DESC) WHERE needs_review = 1;
-- Partial indexes: the query must repeat the index's WHERE term literally
-- for SQLite to use them (a bound parameter proves nothing). AgentLoads reads
-- only the active-load index; status is in it so that it covers the query.
CREATE INDEX tickets_active_load ON tickets (assignee_id, priority, status)
	WHERE status IN ('new', 'open', 'pending');

-- seq keeps insertion order among rows written in the same microsecond.
CREATE TABLE comments (
	seq            INTEGER NOT NULL PRIMARY KEY,
	id             TEXT    NOT NULL UNIQUE,
	ticket_id      TEXT    NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	author_id      TEXT    NOT NULL DEFAULT '',
	from_requester INTEGER NOT NULL DEFAULT 0,
	body           TEXT    NOT NULL,
	public         INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX comments_ticket ON comments (ticket_id, created_at, seq);

CREATE TABLE history (
	seq       INTEGER NOT NULL PRIMARY KEY,
	id        TEXT    NOT NULL UNIQUE,
	ticket_id TEXT    NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	actor     TEXT    NOT NULL DEFAULT '',
	at        INTEGER NOT NULL,
	field     TEXT    NOT NULL,
	old       TEXT    NOT NULL DEFAULT '',
	new       TEXT    NOT NULL DEFAULT '',
	note      TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX history_ticket ON history (ticket_id, at, seq);

-- One row per ticket: what triage predicted at intake. The decisions are
-- JSON because their shape (top candidates, reasons) is for reading, not for
-- querying; evaluation can still reach into them with json_extract.
CREATE TABLE triage_records (
	ticket_id     TEXT    NOT NULL PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
	category      TEXT    NOT NULL CHECK (json_type(category) = 'object'),
	priority      TEXT    NOT NULL CHECK (json_type(priority) = 'object'),
	assignee      TEXT    NOT NULL CHECK (json_type(assignee) = 'object'),
	needs_review  INTEGER NOT NULL DEFAULT 0,
	model_version TEXT    NOT NULL DEFAULT '',
	explanation   TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(explanation) = 'object'),
	created_at    INTEGER NOT NULL
) STRICT;

-- Tickets keep assignee and team ids without foreign keys: an agent or team
-- can be deleted while its old tickets (and their history) stay as they were.
CREATE TABLE agents (
	id               TEXT    NOT NULL PRIMARY KEY,
	name             TEXT    NOT NULL,
	email            TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
	skills           TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(skills) = 'array'),
	capacity         INTEGER NOT NULL DEFAULT 0,
	online           INTEGER NOT NULL DEFAULT 0,
	last_assigned_at INTEGER,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	version          INTEGER NOT NULL
) STRICT;
-- An e-mail names one agent; agents without one are allowed any number.
CREATE UNIQUE INDEX agents_email ON agents (email) WHERE email <> '';

CREATE TABLE teams (
	id         TEXT    NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	members    TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(members) = 'array'),
	lead_id    TEXT    NOT NULL DEFAULT '',
	categories TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(categories) = 'array'),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
	id         TEXT    NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL DEFAULT '',
	role       TEXT    NOT NULL,
	agent_id   TEXT    NOT NULL DEFAULT '',
	prefix     TEXT    NOT NULL DEFAULT '',
	hash       TEXT    NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
) STRICT;

CREATE TABLE idempotency_keys (
	scope        TEXT    NOT NULL,
	key          TEXT    NOT NULL,
	request_hash TEXT    NOT NULL DEFAULT '',
	status       INTEGER NOT NULL,
	body         BLOB    NOT NULL DEFAULT x'',
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT, WITHOUT ROWID;
-- For expiring old keys.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The ordered change log that derived indexes follow. AUTOINCREMENT, not a
-- plain rowid: a seq must never be reused, even after the tail is pruned, or
-- a follower would skip a change it thinks it has seen.
CREATE TABLE changes (
	seq    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	entity TEXT    NOT NULL,
	id     TEXT    NOT NULL,
	op     TEXT    NOT NULL CHECK (op IN ('create', 'update', 'delete')),
	at     INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE changes;
DROP TABLE idempotency_keys;
DROP TABLE tokens;
DROP TABLE teams;
DROP TABLE agents;
DROP TABLE triage_records;
DROP TABLE history;
DROP TABLE comments;
DROP TABLE tickets;
