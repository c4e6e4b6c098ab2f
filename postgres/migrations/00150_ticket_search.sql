-- The twin of sqlite/migrations/00150.
-- Ticket search (see triage.RankTickets): the title, the body and the
-- conversation (the public comments, a line each) once more, normalised by
-- the segmenter (full-width to half-width, traditional to simplified,
-- Latin lower-cased), written by the store with every write of the ticket
-- or of a public comment. NULL, against the convention of 00001, means
-- "not computed yet": the store fills those rows when it opens with a
-- normaliser, so a change of normalisation is a migration that sets them
-- back to NULL.

-- +goose Up
ALTER TABLE tickets ADD COLUMN search_title text;
ALTER TABLE tickets ADD COLUMN search_body text;
ALTER TABLE tickets ADD COLUMN search_comments text;
CREATE INDEX tickets_unsearchable ON tickets (id) WHERE search_title IS NULL;

-- +goose Down
DROP INDEX tickets_unsearchable;
ALTER TABLE tickets DROP COLUMN search_comments;
ALTER TABLE tickets DROP COLUMN search_body;
ALTER TABLE tickets DROP COLUMN search_title;
