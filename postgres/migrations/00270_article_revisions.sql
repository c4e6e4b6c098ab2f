-- Proposed changes to published articles, reviewed before they go live
-- (issue 14): the twin of sqlite/migrations/00270. The conventions of
-- 00001 hold.

-- +goose Up
CREATE TABLE article_revisions (
	id              text COLLATE "C" NOT NULL PRIMARY KEY,
	article_id      text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	base_version    integer NOT NULL,
	title           text NOT NULL,
	body            text NOT NULL,
	category        text NOT NULL DEFAULT '',
	tags            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
	visibility      text COLLATE "C" NOT NULL DEFAULT 'internal',
	status          text COLLATE "C" NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'rejected', 'withdrawn')),
	author_id       text COLLATE "C" NOT NULL DEFAULT '',
	note            text NOT NULL DEFAULT '',
	reviewer_id     text COLLATE "C" NOT NULL DEFAULT '',
	review_note     text NOT NULL DEFAULT '',
	override_reason text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL,
	decided_at      timestamptz,
	version         integer NOT NULL DEFAULT 1
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, created_at DESC, id DESC);
CREATE INDEX article_revisions_status ON article_revisions (status, created_at DESC, id DESC);

-- +goose Down
DROP TABLE article_revisions;
