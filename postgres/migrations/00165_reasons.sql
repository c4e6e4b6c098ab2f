-- Reasons as data: the service's explanation of a history entry or of an
-- article version, as a JSON list of {code, args, text} (triage.Reasons),
-- beside the note a person wrote. Rows from before keep their English note
-- and an empty list; the UI shows such a note as written. ticket_links.why
-- keeps its text column: new rows hold the same JSON list, older rows a
-- sentence, and triage.Reasons reads both. Twin of sqlite/migrations/00165.

-- +goose Up
ALTER TABLE history ADD COLUMN why jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(why) = 'array');
ALTER TABLE article_versions ADD COLUMN why jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(why) = 'array');

-- +goose Down
ALTER TABLE article_versions DROP COLUMN why;
ALTER TABLE history DROP COLUMN why;
