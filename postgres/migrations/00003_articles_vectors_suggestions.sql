-- Knowledge-base articles and their versions, stored embeddings, and the
-- suggestions shown beside tickets with the agents' feedback on them: the
-- twin of sqlite/migrations/00003. The conventions of 00001 hold.

-- +goose Up
CREATE TABLE articles (
	id           text COLLATE "C" NOT NULL PRIMARY KEY,
	title        text COLLATE "C" NOT NULL,
	body         text COLLATE "C" NOT NULL,
	category     text COLLATE "C" NOT NULL DEFAULT '',
	tags         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
	status       text COLLATE "C" NOT NULL,
	author_id    text COLLATE "C" NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	published_at timestamptz,
	version      integer NOT NULL
);
-- The list order, and the tail of every filtered index, is
-- (updated_at DESC, id DESC), so a filtered page is an index range scan.
CREATE INDEX articles_updated ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_status ON articles (status, updated_at DESC, id DESC);
CREATE INDEX articles_category ON articles (category, updated_at DESC, id DESC);
CREATE INDEX articles_author ON articles (author_id, updated_at DESC, id DESC);

-- Every save of an article, as it left it. Rows are written once.
CREATE TABLE article_versions (
	article_id text COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	version    integer NOT NULL,
	title      text COLLATE "C" NOT NULL,
	body       text COLLATE "C" NOT NULL,
	category   text COLLATE "C" NOT NULL DEFAULT '',
	tags       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
	status     text COLLATE "C" NOT NULL,
	actor      text COLLATE "C" NOT NULL DEFAULT '',
	note       text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	PRIMARY KEY (article_id, version)
);

-- Embeddings of search documents. vec is the embedder's float32s as real[],
-- which the binary protocol carries bit for bit: it is the record, whether
-- or not the pgvector extension is installed. With pgvector, the store adds
-- a generated vector(N) column and an HNSW index over it at start (see
-- pgvector.go): derived from vec, so it can be dropped and rebuilt for
-- another dimension without losing a vector. A document has at most one
-- vector per model; during a re-embed the old model's vectors stay beside
-- the new one's until they are deleted.
CREATE TABLE vectors (
	doc_id     text COLLATE "C" NOT NULL,
	model      text COLLATE "C" NOT NULL,
	kind       text COLLATE "C" NOT NULL,
	owner_id   text COLLATE "C" NOT NULL,
	dim        integer NOT NULL CHECK (dim > 0),
	vec        real[]  NOT NULL CHECK (cardinality(vec) = dim),
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (model, doc_id)
);
-- VectorOwners, PutVectors and OwnerVectors find an owner's vectors of one
-- model here, the last in doc_id order.
CREATE INDEX vectors_model_owner ON vectors (model, kind, owner_id, doc_id);
-- DeleteVectors finds an owner's vectors of every model here.
CREATE INDEX vectors_owner ON vectors (kind, owner_id);

-- What an agent was shown beside a ticket. ticket_id has no foreign key:
-- like assignee ids, it may outlive what it names.
CREATE TABLE suggestions (
	id           text COLLATE "C" NOT NULL PRIMARY KEY,
	ticket_id    text COLLATE "C" NOT NULL,
	articles     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(articles) = 'array'),
	tickets      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tickets) = 'array'),
	draft        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(draft) = 'object'),
	best_article double precision NOT NULL DEFAULT 0,
	created_at   timestamptz NOT NULL
);
CREATE INDEX suggestions_ticket ON suggestions (ticket_id, created_at DESC, id DESC);
CREATE INDEX suggestions_created ON suggestions (created_at DESC, id DESC);

-- Verdicts on suggestions. seq keeps insertion order among rows written in
-- the same microsecond, as for comments.
CREATE TABLE feedback (
	seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id            text COLLATE "C" NOT NULL UNIQUE,
	suggestion_id text COLLATE "C" NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
	ticket_id     text COLLATE "C" NOT NULL DEFAULT '',
	source_kind   text COLLATE "C" NOT NULL,
	source_id     text COLLATE "C" NOT NULL DEFAULT '',
	action        text COLLATE "C" NOT NULL CHECK (action IN ('accepted', 'edited', 'rejected')),
	final_text    text COLLATE "C" NOT NULL DEFAULT '',
	reason        text COLLATE "C" NOT NULL DEFAULT '',
	actor         text COLLATE "C" NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL
);
CREATE INDEX feedback_suggestion ON feedback (suggestion_id, created_at, seq);
CREATE INDEX feedback_created ON feedback (created_at, source_kind, source_id, action);

-- +goose Down
DROP TABLE feedback;
DROP TABLE suggestions;
DROP TABLE vectors;
DROP TABLE article_versions;
DROP TABLE articles;
