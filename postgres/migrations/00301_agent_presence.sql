-- Presence: an agent's own choice (online, away, offline, or '' to follow
-- activity) and their last activity. Twin of the other dialect's 00301.

-- +goose Up
ALTER TABLE agents ADD COLUMN presence text NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN last_seen_at timestamptz;

-- +goose Down
ALTER TABLE agents DROP COLUMN last_seen_at;
ALTER TABLE agents DROP COLUMN presence;
