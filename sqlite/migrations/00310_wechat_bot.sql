-- The WeChat channel's bot and welcome settings (issue 22): the bot
-- answers a new session first and hands it over to a servicer
-- (bot_servicer, a 企业微信 userid) or to the queue ('' ); welcome is the
-- text sent on enter_session where 企业微信 allows it ('' sends none).

-- +goose Up
ALTER TABLE wechat_channels ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE wechat_channels ADD COLUMN bot_servicer TEXT NOT NULL DEFAULT '';
ALTER TABLE wechat_channels ADD COLUMN welcome TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE wechat_channels DROP COLUMN welcome;
ALTER TABLE wechat_channels DROP COLUMN bot_servicer;
ALTER TABLE wechat_channels DROP COLUMN bot;
