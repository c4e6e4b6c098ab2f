-- The WeChat channel (微信客服 through 企业微信, issue 22): the twin of
-- sqlite/migrations/00260. The conventions of 00001 hold.

-- +goose Up

CREATE TABLE wechat_channels (
	id             text COLLATE "C" NOT NULL PRIMARY KEY,
	name           text NOT NULL,
	corp_id        text COLLATE "C" NOT NULL UNIQUE,
	-- The secret, callback Token and EncodingAESKey, sealed together with
	-- the service's key (package seal): never in clear.
	secrets_sealed text COLLATE "C" NOT NULL DEFAULT '',
	accounts       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(accounts) = 'array'),
	team_id        text COLLATE "C" NOT NULL DEFAULT '',
	reopen_hours   integer NOT NULL,
	pause_seconds  integer NOT NULL,
	enabled        boolean NOT NULL DEFAULT true,
	-- kf/sync_msg's cursor: committed with each page's tickets and comments.
	cursor         text COLLATE "C" NOT NULL DEFAULT '',
	last_error     text NOT NULL DEFAULT '',
	last_error_at  timestamptz,
	last_sync_at   timestamptz,
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL,
	version        integer NOT NULL
);

-- Every message in or out; see the SQLite twin.
CREATE TABLE wechat_messages (
	seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id              text COLLATE "C" NOT NULL UNIQUE,
	channel_id      text COLLATE "C" NOT NULL,
	direction       text COLLATE "C" NOT NULL CHECK (direction IN ('in', 'out')),
	msg_id          text COLLATE "C" NOT NULL,
	open_kfid       text COLLATE "C" NOT NULL DEFAULT '',
	external_userid text COLLATE "C" NOT NULL DEFAULT '',
	msg_type        text COLLATE "C" NOT NULL DEFAULT '',
	ticket_id       text COLLATE "C" NOT NULL DEFAULT '',
	comment_id      text COLLATE "C" NOT NULL DEFAULT '',
	status          text COLLATE "C" NOT NULL,
	reason          text COLLATE "C" NOT NULL DEFAULT '',
	why             jsonb NOT NULL DEFAULT '{}',
	error           text NOT NULL DEFAULT '',
	attempts        integer NOT NULL DEFAULT 0,
	media_id        text COLLATE "C" NOT NULL DEFAULT '',
	at              timestamptz NOT NULL,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL,
	sent_at         timestamptz,
	UNIQUE (channel_id, direction, msg_id)
);
CREATE INDEX wechat_messages_ticket ON wechat_messages (ticket_id, created_at, seq) WHERE ticket_id <> '';
CREATE INDEX wechat_messages_customer ON wechat_messages (channel_id, external_userid, at, seq);

-- +goose Down
DROP TABLE wechat_messages;
DROP TABLE wechat_channels;
