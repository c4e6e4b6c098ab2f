-- The public help centre (issue 19): the twin of
-- sqlite/migrations/00190. The conventions of 00001 hold.

-- +goose Up
-- Existing articles stay internal: nobody chose to publish them to the
-- world.
ALTER TABLE articles ADD COLUMN visibility text COLLATE "C" NOT NULL DEFAULT 'internal'
	CHECK (visibility IN ('internal', 'public'));
-- The help centre lists public published articles by update time.
CREATE INDEX articles_visibility ON articles (visibility, status, updated_at DESC, id DESC);

-- Readers' anonymous answers to "这篇文章有帮助吗？".
CREATE TABLE article_votes (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         text COLLATE "C" NOT NULL UNIQUE,
	article_id text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	helpful    boolean NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX article_votes_created ON article_votes (created_at, article_id, helpful);
CREATE INDEX article_votes_article ON article_votes (article_id);

-- The help centre's branding: one row, id 1.
CREATE TABLE help_settings (
	id           integer NOT NULL PRIMARY KEY CHECK (id = 1),
	company_name text COLLATE "C" NOT NULL DEFAULT '',
	logo_type    text COLLATE "C" NOT NULL DEFAULT '',
	logo         bytea NOT NULL DEFAULT '',
	updated_at   timestamptz NOT NULL
);

-- +goose Down
DROP TABLE help_settings;
DROP TABLE article_votes;
DROP INDEX articles_visibility;
ALTER TABLE articles DROP COLUMN visibility;
