-- The in-app notification centre: one row per person and event (assigned
-- to you, the customer replied, SLA warning and breach, @mention). Twin
-- of postgres/migrations/00241.

-- +goose Up
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    agent_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    ticket_id    TEXT NOT NULL,
    ticket_title TEXT NOT NULL DEFAULT '',
    actor        TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    read_at      INTEGER
);
CREATE INDEX notifications_agent ON notifications (agent_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE notifications;
