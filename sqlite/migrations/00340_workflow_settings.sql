-- Workflow settings an admin changes on the admin screens (issues 14 and
-- 20): whether knowledge-base changes go through review and how long a
-- solved ticket waits before it is closed; until saved, the service runs
-- with the defaults it was started with. setting_changes is their audit
-- trail: who changed which setting from what to what.

-- +goose Up
CREATE TABLE workflow_settings (
	id                 INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	kb_review          INTEGER NOT NULL,
	close_solved_after TEXT    NOT NULL,
	updated_by         TEXT    NOT NULL DEFAULT '',
	updated_at         INTEGER NOT NULL,
	version            INTEGER NOT NULL
) STRICT;

CREATE TABLE setting_changes (
	id         TEXT    NOT NULL PRIMARY KEY,
	setting    TEXT    NOT NULL,
	from_value TEXT    NOT NULL,
	to_value   TEXT    NOT NULL,
	actor      TEXT    NOT NULL,
	at         INTEGER NOT NULL
) STRICT;
CREATE INDEX setting_changes_at ON setting_changes (at DESC, id DESC);

-- +goose Down
DROP TABLE setting_changes;
DROP TABLE workflow_settings;
