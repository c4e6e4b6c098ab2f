-- SLA: business-hours calendars, policies, each ticket's clocks and the
-- record of warnings and breaches; satisfaction surveys: the twin of
-- sqlite/migrations/00004. The conventions of 00001 hold.

-- +goose Up
CREATE TABLE calendars (
	id         text COLLATE "C" NOT NULL,
	name       text COLLATE "C" NOT NULL,
	time_zone  text COLLATE "C" NOT NULL,
	hours      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(hours) = 'array'),
	holidays   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(holidays) = 'array'),
	workdays   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(workdays) = 'array'),
	is_default boolean NOT NULL DEFAULT false,
	note       text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	version    integer NOT NULL,
	CONSTRAINT calendars_pkey PRIMARY KEY (id)
);
-- At most one default calendar, whatever the code does.
CREATE UNIQUE INDEX calendars_default ON calendars (is_default) WHERE is_default;

-- The most specific policy wins (the service decides); the store only
-- refuses two policies for exactly the same tickets.
CREATE TABLE sla_policies (
	id             text COLLATE "C" NOT NULL,
	name           text COLLATE "C" NOT NULL,
	priority       text COLLATE "C" NOT NULL,
	team_id        text COLLATE "C" NOT NULL DEFAULT '',
	category       text COLLATE "C" NOT NULL DEFAULT '',
	tag            text COLLATE "C" NOT NULL DEFAULT '',
	calendar_id    text COLLATE "C" NOT NULL DEFAULT '',
	first_response text COLLATE "C" NOT NULL DEFAULT '',
	next_response  text COLLATE "C" NOT NULL DEFAULT '',
	resolution     text COLLATE "C" NOT NULL DEFAULT '',
	warn_percent   integer NOT NULL DEFAULT 0,
	escalations    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(escalations) = 'array'),
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL,
	version        integer NOT NULL,
	CONSTRAINT sla_policies_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX sla_policies_scope ON sla_policies (priority, team_id, category, tag);

-- One row per ticket. The targets are jsonb: they are read whole, and the
-- report filters on computed_at, which bounds when any of them was decided.
CREATE TABLE ticket_slas (
	ticket_id     text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
	policy_id     text COLLATE "C" NOT NULL DEFAULT '',
	policy_name   text COLLATE "C" NOT NULL DEFAULT '',
	calendar_id   text COLLATE "C" NOT NULL DEFAULT '',
	priority      text COLLATE "C" NOT NULL DEFAULT '',
	assignee_id   text COLLATE "C" NOT NULL DEFAULT '',
	team_id       text COLLATE "C" NOT NULL DEFAULT '',
	category      text COLLATE "C" NOT NULL DEFAULT '',
	targets       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(targets) = 'array'),
	next_check_at timestamptz,
	computed_at   timestamptz NOT NULL,
	version       integer NOT NULL
);
CREATE INDEX ticket_slas_computed ON ticket_slas (computed_at, ticket_id);

-- seq keeps insertion order among events of the same microsecond.
CREATE TABLE sla_events (
	seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id        text COLLATE "C" NOT NULL UNIQUE,
	ticket_id text COLLATE "C" NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	kind      text COLLATE "C" NOT NULL,
	metric    text COLLATE "C" NOT NULL,
	cycle     integer NOT NULL DEFAULT 0,
	policy_id text COLLATE "C" NOT NULL DEFAULT '',
	target    text COLLATE "C" NOT NULL DEFAULT '',
	due_at    timestamptz NOT NULL,
	lead_id   text COLLATE "C" NOT NULL DEFAULT '',
	actions   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(actions) = 'array'),
	at        timestamptz NOT NULL
);
CREATE INDEX sla_events_ticket ON sla_events (ticket_id, at, seq);

-- One survey per ticket. token_hash is a SHA-256 of a random secret: the
-- secret itself is never stored. The constraints are named because the
-- store tells its three duplicates apart by name.
CREATE TABLE surveys (
	id          text COLLATE "C" NOT NULL,
	ticket_id   text COLLATE "C" NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	token_hash  text COLLATE "C" NOT NULL,
	rating      integer NOT NULL DEFAULT 0,
	comment     text COLLATE "C" NOT NULL DEFAULT '',
	agent_id    text COLLATE "C" NOT NULL DEFAULT '',
	team_id     text COLLATE "C" NOT NULL DEFAULT '',
	category    text COLLATE "C" NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	expires_at  timestamptz NOT NULL,
	answered_at timestamptz,
	version     integer NOT NULL,
	CONSTRAINT surveys_pkey PRIMARY KEY (id),
	CONSTRAINT surveys_ticket UNIQUE (ticket_id),
	CONSTRAINT surveys_token UNIQUE (token_hash)
);
CREATE INDEX surveys_created ON surveys (created_at);
CREATE INDEX surveys_answered ON surveys (answered_at) WHERE answered_at IS NOT NULL;

-- +goose Down
DROP TABLE surveys;
DROP TABLE sla_events;
DROP TABLE ticket_slas;
DROP TABLE sla_policies;
DROP TABLE calendars;
