-- The e-mail channel and attachments (issue 17). The conventions of 00001
-- hold: INTEGER microseconds UTC, '' for absent strings, JSON text for
-- lists, STRICT tables.

-- +goose Up

-- One row per stored content. The bytes are a file under the data
-- directory (blobs/ab/abcdef…, named by the SHA-256), written and synced
-- before the transaction that adds this row commits: a row never names a
-- missing file, and a file without a row (its transaction rolled back, or
-- the process died before the commit) is removed by PruneBlobs.
CREATE TABLE blobs (
	sha256     TEXT    NOT NULL PRIMARY KEY,
	size       INTEGER NOT NULL,
	created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE attachments (
	seq          INTEGER NOT NULL PRIMARY KEY,
	id           TEXT    NOT NULL UNIQUE,
	ticket_id    TEXT    NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	comment_id   TEXT    NOT NULL DEFAULT '',
	name         TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	size         INTEGER NOT NULL,
	-- No foreign key: AddAttachment checks the blob, and PutBlob touches it
	-- so a concurrent prune leaves it (see PruneBlobs).
	sha256       TEXT    NOT NULL,
	content_id   TEXT    NOT NULL DEFAULT '',
	inline       INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_ticket ON attachments (ticket_id, created_at, seq);
CREATE INDEX attachments_sha256 ON attachments (sha256);

CREATE TABLE mailboxes (
	id              TEXT    NOT NULL PRIMARY KEY,
	name            TEXT    NOT NULL,
	address         TEXT    NOT NULL COLLATE NOCASE,
	host            TEXT    NOT NULL COLLATE NOCASE,
	port            INTEGER NOT NULL,
	tls             TEXT    NOT NULL,
	username        TEXT    NOT NULL,
	-- Sealed with the service's key (package seal): never in clear.
	password_sealed TEXT    NOT NULL DEFAULT '',
	folder          TEXT    NOT NULL,
	after_import    TEXT    NOT NULL,
	move_to         TEXT    NOT NULL DEFAULT '',
	team_id         TEXT    NOT NULL DEFAULT '',
	category        TEXT    NOT NULL DEFAULT '',
	priority        TEXT    NOT NULL DEFAULT '',
	enabled         INTEGER NOT NULL DEFAULT 1,
	-- The position: committed with each imported mail's ticket or comment.
	uid_validity    INTEGER NOT NULL DEFAULT 0,
	uid             INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	last_error_at   INTEGER,
	last_import_at  INTEGER,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	version         INTEGER NOT NULL,
	UNIQUE (host, username, folder)
) STRICT;

-- Every mail in or out. Inbound mail is unique per mailbox by Message-ID:
-- the import of one mail commits its ticket or comment, this row and the
-- mailbox position together, so a mail fetched twice (a crash between the
-- commit and the IMAP flag, two fetchers) becomes one ticket.
CREATE TABLE mail_messages (
	seq          INTEGER NOT NULL PRIMARY KEY,
	id           TEXT    NOT NULL UNIQUE,
	direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
	purpose      TEXT    NOT NULL DEFAULT '',
	mailbox_id   TEXT    NOT NULL DEFAULT '',
	message_id   TEXT    NOT NULL,
	ticket_id    TEXT    NOT NULL DEFAULT '',
	comment_id   TEXT    NOT NULL DEFAULT '',
	sender       TEXT    NOT NULL DEFAULT '',
	recipients   TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(recipients) = 'array'),
	subject      TEXT    NOT NULL DEFAULT '',
	status       TEXT    NOT NULL,
	reason       TEXT    NOT NULL DEFAULT '',
	-- The reason as JSON ({code, args, text}); reason repeats its code.
	why          TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(why) = 'object'),
	error        TEXT    NOT NULL DEFAULT '',
	attempts     INTEGER NOT NULL DEFAULT 0,
	raw_sha256   TEXT    NOT NULL DEFAULT '',
	event_key    TEXT    NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	sent_at      INTEGER
) STRICT;
CREATE UNIQUE INDEX mail_messages_inbound ON mail_messages (mailbox_id, message_id) WHERE direction = 'in';
CREATE UNIQUE INDEX mail_messages_key ON mail_messages (event_key) WHERE event_key <> '';
CREATE INDEX mail_messages_message_id ON mail_messages (message_id);
CREATE INDEX mail_messages_ticket ON mail_messages (ticket_id, created_at, seq) WHERE ticket_id <> '';
CREATE INDEX mail_messages_list ON mail_messages (created_at DESC, id DESC);
CREATE INDEX mail_messages_raw ON mail_messages (raw_sha256) WHERE raw_sha256 <> '';

CREATE TABLE mail_templates (
	name       TEXT    NOT NULL PRIMARY KEY,
	subject    TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	enabled    INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL,
	version    INTEGER NOT NULL
) STRICT;

-- [#ref] in mail subjects is the last twelve characters of a ticket's id.
CREATE INDEX tickets_ref ON tickets (substr(id, 25));

-- +goose Down
DROP INDEX tickets_ref;
DROP TABLE mail_templates;
DROP TABLE mail_messages;
DROP TABLE mailboxes;
DROP TABLE attachments;
DROP TABLE blobs;
