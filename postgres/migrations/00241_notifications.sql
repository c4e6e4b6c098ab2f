-- The in-app notification centre: one row per person and event (assigned
-- to you, the customer replied, SLA warning and breach, @mention). Twin
-- of sqlite/migrations/00241.

-- +goose Up
CREATE TABLE notifications (
    id           text PRIMARY KEY,
    agent_id     text NOT NULL,
    kind         text NOT NULL,
    ticket_id    text NOT NULL,
    ticket_title text NOT NULL DEFAULT '',
    actor        text NOT NULL DEFAULT '',
    detail       text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    read_at      timestamptz
);
CREATE INDEX notifications_agent ON notifications (agent_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE notifications;
