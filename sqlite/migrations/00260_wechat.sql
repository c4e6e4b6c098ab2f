-- The WeChat channel (微信客服 through 企业微信, issue 22). The
-- conventions of 00001 hold: INTEGER microseconds UTC, '' for absent
-- strings, JSON text for lists, STRICT tables.

-- +goose Up

CREATE TABLE wechat_channels (
	id             TEXT    NOT NULL PRIMARY KEY,
	name           TEXT    NOT NULL,
	corp_id        TEXT    NOT NULL UNIQUE,
	-- The secret, callback Token and EncodingAESKey, sealed together with
	-- the service's key (package seal): never in clear.
	secrets_sealed TEXT    NOT NULL DEFAULT '',
	accounts       TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(accounts) = 'array'),
	team_id        TEXT    NOT NULL DEFAULT '',
	reopen_hours   INTEGER NOT NULL,
	pause_seconds  INTEGER NOT NULL,
	enabled        INTEGER NOT NULL DEFAULT 1,
	-- kf/sync_msg's cursor: committed with each page's tickets and comments.
	cursor         TEXT    NOT NULL DEFAULT '',
	last_error     TEXT    NOT NULL DEFAULT '',
	last_error_at  INTEGER,
	last_sync_at   INTEGER,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	version        INTEGER NOT NULL
) STRICT;

-- Every message in or out. Inbound messages are unique per channel by
-- msgid: a page of kf/sync_msg commits its records, tickets, comments and
-- the cursor together, so a page read twice (a crash before the commit, a
-- replayed notification) becomes nothing twice.
CREATE TABLE wechat_messages (
	seq             INTEGER NOT NULL PRIMARY KEY,
	id              TEXT    NOT NULL UNIQUE,
	channel_id      TEXT    NOT NULL,
	direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
	msg_id          TEXT    NOT NULL,
	open_kfid       TEXT    NOT NULL DEFAULT '',
	external_userid TEXT    NOT NULL DEFAULT '',
	msg_type        TEXT    NOT NULL DEFAULT '',
	ticket_id       TEXT    NOT NULL DEFAULT '',
	comment_id      TEXT    NOT NULL DEFAULT '',
	status          TEXT    NOT NULL,
	reason          TEXT    NOT NULL DEFAULT '',
	why             TEXT    NOT NULL DEFAULT '{}',
	error           TEXT    NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0,
	media_id        TEXT    NOT NULL DEFAULT '',
	at              INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	sent_at         INTEGER,
	UNIQUE (channel_id, direction, msg_id)
) STRICT;
CREATE INDEX wechat_messages_ticket ON wechat_messages (ticket_id, created_at, seq) WHERE ticket_id <> '';
CREATE INDEX wechat_messages_customer ON wechat_messages (channel_id, external_userid, at, seq);

-- +goose Down
DROP TABLE wechat_messages;
DROP TABLE wechat_channels;
