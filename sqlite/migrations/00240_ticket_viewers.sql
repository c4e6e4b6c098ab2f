-- Who has a ticket open, and who is writing a reply (collision
-- detection): ephemeral presence refreshed by heartbeats. Twin of
-- postgres/migrations/00240.

-- +goose Up
CREATE TABLE ticket_viewers (
    ticket_id TEXT NOT NULL,
    agent_id  TEXT NOT NULL,
    typing    INTEGER NOT NULL DEFAULT 0,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);

-- +goose Down
DROP TABLE ticket_viewers;
