-- Sign-in, the second floor (issue 18): one-time links (invitations,
-- password resets, second-factor challenges), TOTP second factors and
-- recovery codes, the link of an account to a person at the OpenID
-- Connect provider, and the sign-in settings. Conventions of 00001.

-- +goose Up
ALTER TABLE accounts ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN totp_enabled_at INTEGER;
ALTER TABLE accounts ADD COLUMN totp_step INTEGER NOT NULL DEFAULT 0;
-- Comma-separated hex hashes of the unused recovery codes.
ALTER TABLE accounts ADD COLUMN recovery_hashes TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN sso_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN sso_subject TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX accounts_sso ON accounts (sso_issuer, sso_subject) WHERE sso_subject <> '';

CREATE TABLE one_time_links (
	hash       TEXT    NOT NULL PRIMARY KEY,
	purpose    TEXT    NOT NULL,
	subject    TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) STRICT;
CREATE INDEX one_time_links_subject ON one_time_links (purpose, subject);

CREATE TABLE auth_settings (
	id           INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	require_totp INTEGER NOT NULL DEFAULT 0,
	updated_at   INTEGER NOT NULL,
	version      INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE auth_settings;
DROP TABLE one_time_links;
DROP INDEX accounts_sso;
ALTER TABLE accounts DROP COLUMN sso_subject;
ALTER TABLE accounts DROP COLUMN sso_issuer;
ALTER TABLE accounts DROP COLUMN recovery_hashes;
ALTER TABLE accounts DROP COLUMN totp_step;
ALTER TABLE accounts DROP COLUMN totp_enabled_at;
ALTER TABLE accounts DROP COLUMN totp_secret;
