-- Workflow settings an admin changes on the admin screens (issues 14 and
-- 20): whether knowledge-base changes go through review and how long a
-- solved ticket waits before it is closed; until saved, the service runs
-- with the defaults it was started with. setting_changes is their audit
-- trail: who changed which setting from what to what.

-- +goose Up
CREATE TABLE workflow_settings (
	id                 integer NOT NULL PRIMARY KEY CHECK (id = 1),
	kb_review          boolean NOT NULL,
	close_solved_after text    NOT NULL,
	updated_by         text    NOT NULL DEFAULT '',
	updated_at         timestamptz NOT NULL,
	version            integer NOT NULL
);

CREATE TABLE setting_changes (
	id         text    NOT NULL PRIMARY KEY,
	setting    text    NOT NULL,
	from_value text    NOT NULL,
	to_value   text    NOT NULL,
	actor      text    NOT NULL,
	at         timestamptz NOT NULL
);
CREATE INDEX setting_changes_at ON setting_changes (at DESC, id DESC);

-- +goose Down
DROP TABLE setting_changes;
DROP TABLE workflow_settings;
