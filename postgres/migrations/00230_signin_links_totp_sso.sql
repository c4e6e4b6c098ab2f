-- Sign-in, the second floor (issue 18): the twin of
-- sqlite/migrations/00230. Conventions of 00001.

-- +goose Up
ALTER TABLE accounts ADD COLUMN totp_secret text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE accounts ADD COLUMN totp_step bigint NOT NULL DEFAULT 0;
-- Comma-separated hex hashes of the unused recovery codes.
ALTER TABLE accounts ADD COLUMN recovery_hashes text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN sso_issuer text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN sso_subject text COLLATE "C" NOT NULL DEFAULT '';
CREATE UNIQUE INDEX accounts_sso ON accounts (sso_issuer, sso_subject) WHERE sso_subject <> '';

CREATE TABLE one_time_links (
	hash       text COLLATE "C" NOT NULL PRIMARY KEY,
	purpose    text COLLATE "C" NOT NULL,
	subject    text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz
);
CREATE INDEX one_time_links_subject ON one_time_links (purpose, subject);

CREATE TABLE auth_settings (
	id           integer NOT NULL PRIMARY KEY CHECK (id = 1),
	require_totp boolean NOT NULL DEFAULT false,
	updated_at   timestamptz NOT NULL,
	version      integer NOT NULL
);

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
