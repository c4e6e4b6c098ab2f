-- The WeChat channel's bot and welcome settings: the twin of
-- sqlite/migrations/00310.

-- +goose Up
ALTER TABLE wechat_channels ADD COLUMN bot boolean NOT NULL DEFAULT false;
ALTER TABLE wechat_channels ADD COLUMN bot_servicer text NOT NULL DEFAULT '';
ALTER TABLE wechat_channels ADD COLUMN welcome text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE wechat_channels DROP COLUMN welcome;
ALTER TABLE wechat_channels DROP COLUMN bot_servicer;
ALTER TABLE wechat_channels DROP COLUMN bot;
