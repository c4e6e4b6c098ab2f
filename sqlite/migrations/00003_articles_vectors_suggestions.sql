-- Knowledge-base articles and their versions, stored embeddings, and the
-- suggestions shown beside tickets with the agents' feedback on them.
-- The conventions of 00001 hold: INTEGER microseconds UTC, '' for absent
-- strings, JSON text (never NULL) for lists, STRICT tables.

-- +goose Up
CREATE TABLE articles (
	id           TEXT    NOT NULL PRIMARY KEY,
	title        TEXT    NOT NULL,
	body         TEXT    NOT NULL,
	category     TEXT    NOT NULL DEFAULT '',
	tags         TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(tags) = 'array'),
	status       TEXT    NOT NULL,
	author_id    TEXT    NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	published_at INTEGER,
	version      INTEGER NOT NULL
) STRICT;
-- The list order, and the tail of every filtered index, is
-- (updated_at DESC, id DESC), so a filtered page is an index range scan.
CREATE INDEX articles_updated ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_status ON articles (status, updated_at DESC, id DESC);
CREATE INDEX articles_category ON articles (category, updated_at DESC, id DESC);
CREATE INDEX articles_author ON articles (author_id, updated_at DESC, id DESC);

-- Every save of an article, as it left it. Rows are written once. Not
-- WITHOUT ROWID: a body may be 256 KiB, far beyond the small rows such tables
-- suit. The primary key's index serves both reads (one version; all of an
-- article's versions in order).
CREATE TABLE article_versions (
	article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	title      TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	category   TEXT    NOT NULL DEFAULT '',
	tags       TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(tags) = 'array'),
	status     TEXT    NOT NULL,
	actor      TEXT    NOT NULL DEFAULT '',
	note       TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	PRIMARY KEY (article_id, version)
) STRICT;

-- Embeddings of search documents: vec is dim float32s, little-endian, bit
-- for bit as the embedder made them. A document has at most one vector per
-- model; during a re-embed the old model's vectors stay beside the new
-- one's until they are deleted.
CREATE TABLE vectors (
	doc_id     TEXT    NOT NULL,
	model      TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	owner_id   TEXT    NOT NULL,
	dim        INTEGER NOT NULL CHECK (dim > 0),
	vec        BLOB    NOT NULL CHECK (length(vec) = 4 * dim),
	updated_at INTEGER NOT NULL
) STRICT;
-- Vectors pages a model's vectors by doc_id from this index.
CREATE UNIQUE INDEX vectors_model_doc ON vectors (model, doc_id);
-- VectorOwners reads distinct owners in order from this index alone;
-- PutVectors and OwnerVectors find the owner's vectors of one model with
-- it, the latter in doc_id order.
CREATE INDEX vectors_model_owner ON vectors (model, kind, owner_id, doc_id);
-- DeleteVectors finds an owner's vectors of every model here.
CREATE INDEX vectors_owner ON vectors (kind, owner_id);

-- What an agent was shown beside a ticket. ticket_id has no foreign key:
-- like assignee ids, it may outlive what it names.
CREATE TABLE suggestions (
	id           TEXT    NOT NULL PRIMARY KEY,
	ticket_id    TEXT    NOT NULL,
	articles     TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(articles) = 'array'),
	tickets      TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(tickets) = 'array'),
	draft        TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(draft) = 'object'),
	best_article REAL    NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
) STRICT;
-- LatestSuggestion reads the first entry of a ticket's range.
CREATE INDEX suggestions_ticket ON suggestions (ticket_id, created_at DESC, id DESC);
-- Suggestions lists newest first, from Since on.
CREATE INDEX suggestions_created ON suggestions (created_at DESC, id DESC);

-- Verdicts on suggestions. seq keeps insertion order among rows written in
-- the same microsecond, as for comments.
CREATE TABLE feedback (
	seq           INTEGER NOT NULL PRIMARY KEY,
	id            TEXT    NOT NULL UNIQUE,
	suggestion_id TEXT    NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
	ticket_id     TEXT    NOT NULL DEFAULT '',
	source_kind   TEXT    NOT NULL,
	source_id     TEXT    NOT NULL DEFAULT '',
	action        TEXT    NOT NULL CHECK (action IN ('accepted', 'edited', 'rejected')),
	final_text    TEXT    NOT NULL DEFAULT '',
	reason        TEXT    NOT NULL DEFAULT '',
	actor         TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX feedback_suggestion ON feedback (suggestion_id, created_at, seq);
-- FeedbackCounts reads the rows since a time from this index alone.
CREATE INDEX feedback_created ON feedback (created_at, source_kind, source_id, action);

-- +goose Down
DROP TABLE feedback;
DROP TABLE suggestions;
DROP TABLE vectors;
DROP TABLE article_versions;
DROP TABLE articles;
