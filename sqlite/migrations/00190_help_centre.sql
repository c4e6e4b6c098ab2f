-- The public help centre (issue 19). The conventions of 00001 hold:
-- INTEGER microseconds UTC, '' for absent strings, STRICT tables.

-- +goose Up
-- Existing articles stay internal: nobody chose to publish them to the
-- world.
ALTER TABLE articles ADD COLUMN visibility TEXT NOT NULL DEFAULT 'internal'
	CHECK (visibility IN ('internal', 'public'));
-- The help centre lists public published articles by update time.
CREATE INDEX articles_visibility ON articles (visibility, status, updated_at DESC, id DESC);

-- Readers' anonymous answers to "这篇文章有帮助吗？". ArticleVoteCounts reads
-- the rows since a time from the created index alone.
CREATE TABLE article_votes (
	seq        INTEGER NOT NULL PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	helpful    INTEGER NOT NULL CHECK (helpful IN (0, 1)),
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX article_votes_created ON article_votes (created_at, article_id, helpful);
CREATE INDEX article_votes_article ON article_votes (article_id);

-- The help centre's branding: one row, id 1.
CREATE TABLE help_settings (
	id           INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	company_name TEXT    NOT NULL DEFAULT '',
	logo_type    TEXT    NOT NULL DEFAULT '',
	logo         BLOB    NOT NULL DEFAULT x'',
	updated_at   INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE help_settings;
DROP TABLE article_votes;
DROP INDEX articles_visibility;
ALTER TABLE articles DROP COLUMN visibility;
