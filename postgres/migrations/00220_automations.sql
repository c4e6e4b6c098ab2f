-- Automations (自动化) and their log: the twin of
-- sqlite/migrations/00220. The conventions of 00001 hold.

-- +goose Up
CREATE TABLE automations (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	name       text COLLATE "C" NOT NULL,
	kind       text COLLATE "C" NOT NULL,
	events     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(events) = 'array'),
	match      text COLLATE "C" NOT NULL DEFAULT 'all',
	conditions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(conditions) = 'array'),
	actions    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(actions) = 'array'),
	age        jsonb NOT NULL DEFAULT 'null',
	position   integer NOT NULL DEFAULT 0,
	stop       boolean NOT NULL DEFAULT false,
	enabled    boolean NOT NULL DEFAULT true,
	author_id  text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	version    integer NOT NULL
);

CREATE TABLE automation_runs (
	seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id            text COLLATE "C" NOT NULL UNIQUE,
	automation_id text COLLATE "C" NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
	ticket_id     text COLLATE "C" NOT NULL,
	event         text COLLATE "C" NOT NULL,
	key           text COLLATE "C" NOT NULL,
	why           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(why) = 'array'),
	changes       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(changes) = 'array'),
	at            timestamptz NOT NULL,
	UNIQUE (automation_id, ticket_id, key)
);
CREATE INDEX automation_runs_recent ON automation_runs (at DESC, seq DESC);
CREATE INDEX automation_runs_ticket ON automation_runs (ticket_id, at DESC);

-- +goose Down
DROP TABLE automation_runs;
DROP TABLE automations;
