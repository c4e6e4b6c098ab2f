-- Shadow trials: a candidate model predicting beside the active one on
-- every new ticket, and what each predicted per ticket. The conventions of
-- 00001 hold: INTEGER microseconds UTC, STRICT tables. One running trial
-- per kind (the partial unique index).

-- +goose Up
CREATE TABLE shadows (
	id                TEXT    PRIMARY KEY,
	kind              TEXT    NOT NULL,
	candidate_id      TEXT    NOT NULL,
	candidate_version TEXT    NOT NULL,
	candidate_rules   TEXT    NOT NULL,
	active_id         TEXT    NOT NULL,
	active_version    TEXT    NOT NULL,
	status            TEXT    NOT NULL,
	started_by        TEXT    NOT NULL,
	started_at        INTEGER NOT NULL,
	ended_by          TEXT    NOT NULL,
	ended_at          INTEGER
) STRICT;
CREATE UNIQUE INDEX shadows_running ON shadows (kind) WHERE status = 'running';

CREATE TABLE shadow_predictions (
	shadow_id            TEXT    NOT NULL REFERENCES shadows (id) ON DELETE CASCADE,
	ticket_id            TEXT    NOT NULL,
	active               TEXT    NOT NULL,
	active_confidence    REAL    NOT NULL,
	candidate            TEXT    NOT NULL,
	candidate_confidence REAL    NOT NULL,
	created_at           INTEGER NOT NULL,
	PRIMARY KEY (shadow_id, ticket_id)
) STRICT;
CREATE INDEX shadow_predictions_ticket ON shadow_predictions (ticket_id);

-- +goose Down
DROP TABLE shadow_predictions;
DROP TABLE shadows;
