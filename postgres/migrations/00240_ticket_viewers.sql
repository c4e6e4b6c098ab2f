-- Who has a ticket open, and who is writing a reply (collision
-- detection): ephemeral presence refreshed by heartbeats. Twin of
-- sqlite/migrations/00240.

-- +goose Up
CREATE TABLE ticket_viewers (
    ticket_id text NOT NULL,
    agent_id  text NOT NULL,
    typing    boolean NOT NULL DEFAULT false,
    seen_at   timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);

-- +goose Down
DROP TABLE ticket_viewers;
