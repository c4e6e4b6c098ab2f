-- Failed sign-ins in a row per key (an account's e-mail, a client
-- address): kept here rather than in memory so that a restart or a second
-- instance on the same store keeps a lockout. Twin of
-- postgres/migrations/00360.

-- +goose Up
CREATE TABLE sign_in_failures (
    key     TEXT PRIMARY KEY,
    count   INTEGER NOT NULL,
    last_at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_at);

-- +goose Down
DROP TABLE sign_in_failures;
