-- A rule's words honour negation (没有漏电 does not fire a rule on 漏电)
-- unless the rule says match_negated: the default, 0, is the safe one, and
-- rules from before get it. Twin of postgres/migrations/00173.

-- +goose Up
ALTER TABLE rules ADD COLUMN match_negated INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE rules DROP COLUMN match_negated;
