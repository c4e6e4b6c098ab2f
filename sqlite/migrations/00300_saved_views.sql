-- Saved views: a person's named inbox filters and order, as the query
-- string of GET /v1/tickets. Twin of the other dialect's 00300.

-- +goose Up
CREATE TABLE saved_views (
    id         TEXT PRIMARY KEY,
    agent_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX saved_views_name ON saved_views (agent_id, name);

-- +goose Down
DROP TABLE saved_views;
