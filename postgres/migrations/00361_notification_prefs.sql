-- What each person chose about their notifications: which kinds also come
-- by e-mail (kinds joined by commas). Twin of sqlite/migrations/00361.

-- +goose Up
CREATE TABLE notification_prefs (
    agent_id   text PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    mail       text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE notification_prefs;
