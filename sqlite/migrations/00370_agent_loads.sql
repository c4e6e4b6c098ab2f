-- Every agent's active tickets by priority, kept in step with tickets by
-- triggers, so that routing reads one short row per (assignee, priority)
-- instead of counting every active ticket on each create: that count grew
-- with the open tickets and held the single writer on every create.
--
-- Triggers rather than code in each write: every statement that inserts,
-- updates or deletes a ticket (create, update, merge, import, delete) keeps
-- the counts, in its own transaction, with nothing to forget. The active
-- statuses are triage.Status.Active, as in the tickets_active_load index.
-- Rows may fall to 0 and stay; AgentLoads skips them.

-- +goose Up
CREATE TABLE agent_loads (
    assignee_id TEXT    NOT NULL,
    priority    TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (assignee_id, priority)
) STRICT, WITHOUT ROWID;

INSERT INTO agent_loads (assignee_id, priority, n)
SELECT assignee_id, priority, COUNT(*)
FROM tickets
WHERE status IN ('new', 'open', 'pending') AND assignee_id <> ''
GROUP BY assignee_id, priority;

-- +goose StatementBegin
CREATE TRIGGER tickets_load_insert AFTER INSERT ON tickets
WHEN NEW.status IN ('new', 'open', 'pending') AND NEW.assignee_id <> ''
BEGIN
    INSERT INTO agent_loads (assignee_id, priority, n) VALUES (NEW.assignee_id, NEW.priority, 1)
    ON CONFLICT (assignee_id, priority) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_load_delete AFTER DELETE ON tickets
WHEN OLD.status IN ('new', 'open', 'pending') AND OLD.assignee_id <> ''
BEGIN
    UPDATE agent_loads SET n = n - 1 WHERE assignee_id = OLD.assignee_id AND priority = OLD.priority;
END;
-- +goose StatementEnd

-- An update moves a ticket from one count to another only when whether it
-- counts, its assignee or its priority changes; an edit of anything else
-- (or new -> open) leaves the counts be.
-- +goose StatementBegin
CREATE TRIGGER tickets_load_update AFTER UPDATE OF status, assignee_id, priority ON tickets
WHEN (OLD.status IN ('new', 'open', 'pending') AND OLD.assignee_id <> '') IS NOT (NEW.status IN ('new', 'open', 'pending') AND NEW.assignee_id <> '')
    OR OLD.assignee_id IS NOT NEW.assignee_id
    OR OLD.priority IS NOT NEW.priority
BEGIN
    UPDATE agent_loads SET n = n - 1
    WHERE OLD.status IN ('new', 'open', 'pending') AND OLD.assignee_id <> ''
        AND assignee_id = OLD.assignee_id AND priority = OLD.priority;
    INSERT INTO agent_loads (assignee_id, priority, n)
    SELECT NEW.assignee_id, NEW.priority, 1
    WHERE NEW.status IN ('new', 'open', 'pending') AND NEW.assignee_id <> ''
    ON CONFLICT (assignee_id, priority) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tickets_load_update;
DROP TRIGGER tickets_load_delete;
DROP TRIGGER tickets_load_insert;
DROP TABLE agent_loads;
