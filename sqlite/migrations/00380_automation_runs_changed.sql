-- The automations log lists the firings that changed something; a
-- trigger whose actions changed nothing is logged too (the log makes a
-- trigger fire once per event) and can outnumber them many times over.
-- Twin of postgres/migrations/00380.

-- +goose Up
CREATE INDEX automation_runs_changed ON automation_runs (at DESC, seq DESC) WHERE json_array_length(changes) > 0;

-- +goose Down
DROP INDEX automation_runs_changed;
