-- Saved views: a person's named inbox filters and order, as the query
-- string of GET /v1/tickets. Twin of the other dialect's 00300.

-- +goose Up
CREATE TABLE saved_views (
    id         text PRIMARY KEY,
    agent_id   text NOT NULL,
    name       text NOT NULL,
    query      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX saved_views_name ON saved_views (agent_id, name);

-- +goose Down
DROP TABLE saved_views;
