-- Proposed changes to published articles, reviewed before they go live
-- (issue 14). The conventions of 00001 hold: INTEGER microseconds UTC, ''
-- for absent strings, STRICT tables.

-- +goose Up
CREATE TABLE article_revisions (
	id              TEXT    NOT NULL PRIMARY KEY,
	article_id      TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	base_version    INTEGER NOT NULL,
	title           TEXT    NOT NULL,
	body            TEXT    NOT NULL,
	category        TEXT    NOT NULL DEFAULT '',
	tags            TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(tags) = 'array'),
	visibility      TEXT    NOT NULL DEFAULT 'internal',
	status          TEXT    NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'rejected', 'withdrawn')),
	author_id       TEXT    NOT NULL DEFAULT '',
	note            TEXT    NOT NULL DEFAULT '',
	reviewer_id     TEXT    NOT NULL DEFAULT '',
	review_note     TEXT    NOT NULL DEFAULT '',
	override_reason TEXT    NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	decided_at      INTEGER,
	version         INTEGER NOT NULL DEFAULT 1
) STRICT;
-- An article's revisions, and the review queue by status.
CREATE INDEX article_revisions_article ON article_revisions (article_id, created_at DESC, id DESC);
CREATE INDEX article_revisions_status ON article_revisions (status, created_at DESC, id DESC);

-- +goose Down
DROP TABLE article_revisions;
