-- Macros (快捷回复), their versions and uses: the twin of
-- sqlite/migrations/00172. The conventions of 00001 hold.

-- +goose Up
CREATE TABLE macros (
	id         text COLLATE "C" NOT NULL PRIMARY KEY,
	title      text COLLATE "C" NOT NULL,
	body       text COLLATE "C" NOT NULL,
	scope      text COLLATE "C" NOT NULL,
	team_id    text COLLATE "C" NOT NULL DEFAULT '',
	agent_id   text COLLATE "C" NOT NULL DEFAULT '',
	actions    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(actions) = 'object'),
	archived   boolean NOT NULL DEFAULT false,
	author_id  text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	version    integer NOT NULL
);

CREATE TABLE macro_versions (
	macro_id   text COLLATE "C" NOT NULL REFERENCES macros (id) ON DELETE CASCADE,
	version    integer NOT NULL,
	title      text COLLATE "C" NOT NULL,
	body       text COLLATE "C" NOT NULL,
	scope      text COLLATE "C" NOT NULL,
	team_id    text COLLATE "C" NOT NULL DEFAULT '',
	agent_id   text COLLATE "C" NOT NULL DEFAULT '',
	actions    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(actions) = 'object'),
	archived   boolean NOT NULL DEFAULT false,
	actor      text COLLATE "C" NOT NULL DEFAULT '',
	note       text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	PRIMARY KEY (macro_id, version)
);

-- No foreign key to tickets or comments: a use is a count, kept when a
-- ticket is purged.
CREATE TABLE macro_uses (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         text COLLATE "C" NOT NULL UNIQUE,
	macro_id   text COLLATE "C" NOT NULL REFERENCES macros (id) ON DELETE CASCADE,
	ticket_id  text COLLATE "C" NOT NULL,
	comment_id text COLLATE "C" NOT NULL DEFAULT '',
	actor      text COLLATE "C" NOT NULL DEFAULT '',
	edited     boolean NOT NULL DEFAULT false,
	terms      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(terms) = 'array'),
	created_at timestamptz NOT NULL
);
CREATE INDEX macro_uses_macro ON macro_uses (macro_id);
CREATE INDEX macro_uses_recent ON macro_uses (created_at DESC, seq DESC);

-- +goose Down
DROP TABLE macro_uses;
DROP TABLE macro_versions;
DROP TABLE macros;
