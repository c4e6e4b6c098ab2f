-- SLA: business-hours calendars, policies, each ticket's clocks and the
-- record of warnings and breaches; satisfaction surveys. The conventions of
-- 00001 hold: INTEGER microseconds UTC, '' for absent strings, JSON text
-- (never NULL) for lists, STRICT tables.

-- +goose Up
CREATE TABLE calendars (
	id         TEXT    NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	time_zone  TEXT    NOT NULL,
	hours      TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(hours) = 'array'),
	holidays   TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(holidays) = 'array'),
	workdays   TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(workdays) = 'array'),
	is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
	note       TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL
) STRICT;
-- At most one default calendar, whatever the code does.
CREATE UNIQUE INDEX calendars_default ON calendars (is_default) WHERE is_default = 1;

-- The most specific policy wins (the service decides); the store only
-- refuses two policies for exactly the same tickets.
CREATE TABLE sla_policies (
	id             TEXT    NOT NULL PRIMARY KEY,
	name           TEXT    NOT NULL,
	priority       TEXT    NOT NULL,
	team_id        TEXT    NOT NULL DEFAULT '',
	category       TEXT    NOT NULL DEFAULT '',
	tag            TEXT    NOT NULL DEFAULT '',
	calendar_id    TEXT    NOT NULL DEFAULT '',
	first_response TEXT    NOT NULL DEFAULT '',
	next_response  TEXT    NOT NULL DEFAULT '',
	resolution     TEXT    NOT NULL DEFAULT '',
	warn_percent   INTEGER NOT NULL DEFAULT 0,
	escalations    TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(escalations) = 'array'),
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	version        INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX sla_policies_scope ON sla_policies (priority, team_id, category, tag);

-- One row per ticket. The targets are JSON: they are read whole, and the
-- report filters on computed_at, which bounds when any of them was decided.
CREATE TABLE ticket_slas (
	ticket_id     TEXT    NOT NULL PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
	policy_id     TEXT    NOT NULL DEFAULT '',
	policy_name   TEXT    NOT NULL DEFAULT '',
	calendar_id   TEXT    NOT NULL DEFAULT '',
	priority      TEXT    NOT NULL DEFAULT '',
	assignee_id   TEXT    NOT NULL DEFAULT '',
	team_id       TEXT    NOT NULL DEFAULT '',
	category      TEXT    NOT NULL DEFAULT '',
	targets       TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(targets) = 'array'),
	next_check_at INTEGER,
	computed_at   INTEGER NOT NULL,
	version       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX ticket_slas_computed ON ticket_slas (computed_at, ticket_id);

-- seq keeps insertion order among events of the same microsecond.
CREATE TABLE sla_events (
	seq       INTEGER NOT NULL PRIMARY KEY,
	id        TEXT    NOT NULL UNIQUE,
	ticket_id TEXT    NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	kind      TEXT    NOT NULL,
	metric    TEXT    NOT NULL,
	cycle     INTEGER NOT NULL DEFAULT 0,
	policy_id TEXT    NOT NULL DEFAULT '',
	target    TEXT    NOT NULL DEFAULT '',
	due_at    INTEGER NOT NULL,
	lead_id   TEXT    NOT NULL DEFAULT '',
	actions   TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(actions) = 'array'),
	at        INTEGER NOT NULL
) STRICT;
CREATE INDEX sla_events_ticket ON sla_events (ticket_id, at, seq);

-- One survey per ticket. token_hash is a SHA-256 of a random secret: the
-- secret itself is never stored.
CREATE TABLE surveys (
	id          TEXT    NOT NULL PRIMARY KEY,
	ticket_id   TEXT    NOT NULL UNIQUE REFERENCES tickets (id) ON DELETE CASCADE,
	token_hash  TEXT    NOT NULL UNIQUE,
	rating      INTEGER NOT NULL DEFAULT 0,
	comment     TEXT    NOT NULL DEFAULT '',
	agent_id    TEXT    NOT NULL DEFAULT '',
	team_id     TEXT    NOT NULL DEFAULT '',
	category    TEXT    NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	answered_at INTEGER,
	version     INTEGER NOT NULL
) STRICT;
CREATE INDEX surveys_created ON surveys (created_at);
CREATE INDEX surveys_answered ON surveys (answered_at) WHERE answered_at IS NOT NULL;

-- +goose Down
DROP TABLE surveys;
DROP TABLE sla_events;
DROP TABLE ticket_slas;
DROP TABLE sla_policies;
DROP TABLE calendars;
