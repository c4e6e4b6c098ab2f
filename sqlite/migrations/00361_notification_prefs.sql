-- What each person chose about their notifications: which kinds also come
-- by e-mail (kinds joined by commas). Twin of postgres/migrations/00361.

-- +goose Up
CREATE TABLE notification_prefs (
    agent_id   TEXT PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    mail       TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE notification_prefs;
