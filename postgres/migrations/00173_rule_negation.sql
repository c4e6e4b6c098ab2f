-- A rule's words honour negation (没有漏电 does not fire a rule on 漏电)
-- unless the rule says match_negated: the default, false, is the safe one,
-- and rules from before get it. Twin of sqlite/migrations/00173.

-- +goose Up
ALTER TABLE rules ADD COLUMN match_negated boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE rules DROP COLUMN match_negated;
