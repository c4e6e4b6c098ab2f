-- The e-mail channel and attachments (issue 17): the twin of
-- sqlite/migrations/00170. The conventions of 00001 hold. Blobs live in
-- the database, so every replica can serve every attachment.

-- +goose Up
CREATE TABLE blobs (
	sha256     text COLLATE "C" NOT NULL PRIMARY KEY,
	size       bigint NOT NULL,
	content    bytea NOT NULL,
	created_at timestamptz NOT NULL
);
-- The content is already compressed more often than not (images, PDFs,
-- archives): do not spend CPU trying again.
ALTER TABLE blobs ALTER COLUMN content SET STORAGE EXTERNAL;

CREATE TABLE attachments (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id           text COLLATE "C" NOT NULL UNIQUE,
	ticket_id    text COLLATE "C" NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	comment_id   text COLLATE "C" NOT NULL DEFAULT '',
	name         text COLLATE "C" NOT NULL,
	content_type text COLLATE "C" NOT NULL,
	size         bigint NOT NULL,
	-- No foreign key: AddAttachment checks the blob, and PutBlob touches it
	-- (locking its row) so a concurrent prune leaves it.
	sha256       text COLLATE "C" NOT NULL,
	content_id   text COLLATE "C" NOT NULL DEFAULT '',
	inline       boolean NOT NULL DEFAULT false,
	created_at   timestamptz NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, created_at, seq);
CREATE INDEX attachments_sha256 ON attachments (sha256);

CREATE TABLE mailboxes (
	id              text COLLATE "C" NOT NULL PRIMARY KEY,
	name            text COLLATE "C" NOT NULL,
	address         text COLLATE "C" NOT NULL,
	host            text COLLATE "C" NOT NULL,
	port            integer NOT NULL,
	tls             text COLLATE "C" NOT NULL,
	username        text COLLATE "C" NOT NULL,
	-- Sealed with the service's key (package seal): never in clear.
	password_sealed text COLLATE "C" NOT NULL DEFAULT '',
	folder          text COLLATE "C" NOT NULL,
	after_import    text COLLATE "C" NOT NULL,
	move_to         text COLLATE "C" NOT NULL DEFAULT '',
	team_id         text COLLATE "C" NOT NULL DEFAULT '',
	category        text COLLATE "C" NOT NULL DEFAULT '',
	priority        text COLLATE "C" NOT NULL DEFAULT '',
	enabled         boolean NOT NULL DEFAULT true,
	-- The position: committed with each imported mail's ticket or comment.
	uid_validity    bigint NOT NULL DEFAULT 0,
	uid             bigint NOT NULL DEFAULT 0,
	last_error      text COLLATE "C" NOT NULL DEFAULT '',
	last_error_at   timestamptz,
	last_import_at  timestamptz,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL,
	version         integer NOT NULL
);
CREATE UNIQUE INDEX mailboxes_source ON mailboxes (ascii_lower(host), username, folder);

-- Every mail in or out; see the SQLite twin for why inbound mail is unique
-- per mailbox by Message-ID.
CREATE TABLE mail_messages (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id           text COLLATE "C" NOT NULL UNIQUE,
	direction    text COLLATE "C" NOT NULL CHECK (direction IN ('in', 'out')),
	purpose      text COLLATE "C" NOT NULL DEFAULT '',
	mailbox_id   text COLLATE "C" NOT NULL DEFAULT '',
	message_id   text COLLATE "C" NOT NULL,
	ticket_id    text COLLATE "C" NOT NULL DEFAULT '',
	comment_id   text COLLATE "C" NOT NULL DEFAULT '',
	sender       text COLLATE "C" NOT NULL DEFAULT '',
	recipients   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(recipients) = 'array'),
	subject      text COLLATE "C" NOT NULL DEFAULT '',
	status       text COLLATE "C" NOT NULL,
	reason       text COLLATE "C" NOT NULL DEFAULT '',
	-- The reason as JSON ({code, args, text}); reason repeats its code.
	why          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(why) = 'object'),
	error        text COLLATE "C" NOT NULL DEFAULT '',
	attempts     integer NOT NULL DEFAULT 0,
	raw_sha256   text COLLATE "C" NOT NULL DEFAULT '',
	event_key    text COLLATE "C" NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	sent_at      timestamptz
);
CREATE UNIQUE INDEX mail_messages_inbound ON mail_messages (mailbox_id, message_id) WHERE direction = 'in';
CREATE UNIQUE INDEX mail_messages_key ON mail_messages (event_key) WHERE event_key <> '';
CREATE INDEX mail_messages_message_id ON mail_messages (message_id);
CREATE INDEX mail_messages_ticket ON mail_messages (ticket_id, created_at, seq) WHERE ticket_id <> '';
CREATE INDEX mail_messages_list ON mail_messages (created_at DESC, id DESC);
CREATE INDEX mail_messages_raw ON mail_messages (raw_sha256) WHERE raw_sha256 <> '';

CREATE TABLE mail_templates (
	name       text COLLATE "C" NOT NULL PRIMARY KEY,
	subject    text COLLATE "C" NOT NULL,
	body       text COLLATE "C" NOT NULL,
	enabled    boolean NOT NULL DEFAULT false,
	updated_at timestamptz NOT NULL,
	version    integer NOT NULL
);

-- [#ref] in mail subjects is the last twelve characters of a ticket's id.
CREATE INDEX tickets_ref ON tickets (substr(id, 25));

-- +goose Down
DROP INDEX tickets_ref;
DROP TABLE mail_templates;
DROP TABLE mail_messages;
DROP TABLE mailboxes;
DROP TABLE attachments;
DROP TABLE blobs;
