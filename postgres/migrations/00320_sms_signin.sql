-- Requester sign-in by a code sent by SMS through the company's own
-- webhook (issue 19): its URL and signing secret beside the other help
-- centre settings, and the phone number a requester session was signed in
-- with ('' for a session from an e-mail link).

-- +goose Up
ALTER TABLE help_settings ADD COLUMN sms_url text NOT NULL DEFAULT '';
ALTER TABLE help_settings ADD COLUMN sms_secret text NOT NULL DEFAULT '';
ALTER TABLE requester_sessions ADD COLUMN phone text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE requester_sessions DROP COLUMN phone;
ALTER TABLE help_settings DROP COLUMN sms_secret;
ALTER TABLE help_settings DROP COLUMN sms_url;
