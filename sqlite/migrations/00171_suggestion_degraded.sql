-- Why a set of suggestions was found by its words alone (the embedder
-- failed or outran its time budget): a triage.Reason as JSON, or null when
-- both lists were used. Stored so that feedback refers to what the agent
-- saw and a degraded set is not served again as if whole. Twin of
-- postgres/migrations/00171.

-- +goose Up
ALTER TABLE suggestions ADD COLUMN degraded TEXT NOT NULL DEFAULT 'null' CHECK (json_type(degraded) IN ('null', 'object'));

-- +goose Down
ALTER TABLE suggestions DROP COLUMN degraded;
