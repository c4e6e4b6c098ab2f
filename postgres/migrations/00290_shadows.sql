-- Shadow trials and their per-ticket predictions: the twin of
-- sqlite/migrations/00290. The conventions of 00001 hold.

-- +goose Up
CREATE TABLE shadows (
	id                text COLLATE "C" PRIMARY KEY,
	kind              text COLLATE "C" NOT NULL,
	candidate_id      text COLLATE "C" NOT NULL,
	candidate_version text COLLATE "C" NOT NULL,
	candidate_rules   jsonb NOT NULL,
	active_id         text COLLATE "C" NOT NULL,
	active_version    text COLLATE "C" NOT NULL,
	status            text COLLATE "C" NOT NULL,
	started_by        text COLLATE "C" NOT NULL,
	started_at        timestamptz NOT NULL,
	ended_by          text COLLATE "C" NOT NULL,
	ended_at          timestamptz
);
CREATE UNIQUE INDEX shadows_running ON shadows (kind) WHERE status = 'running';

CREATE TABLE shadow_predictions (
	shadow_id            text COLLATE "C" NOT NULL REFERENCES shadows (id) ON DELETE CASCADE,
	ticket_id            text COLLATE "C" NOT NULL,
	active               text COLLATE "C" NOT NULL,
	active_confidence    double precision NOT NULL,
	candidate            text COLLATE "C" NOT NULL,
	candidate_confidence double precision NOT NULL,
	created_at           timestamptz NOT NULL,
	PRIMARY KEY (shadow_id, ticket_id)
);
CREATE INDEX shadow_predictions_ticket ON shadow_predictions (ticket_id);

-- +goose Down
DROP TABLE shadow_predictions;
DROP TABLE shadows;
