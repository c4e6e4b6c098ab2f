package postgres

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/triagehq/triage"
)

// TestDBError: each kind of database failure reaches the API as the code
// it means, and a value the database refuses says what is wrong with it.
func TestDBError(t *testing.T) {
	for _, tc := range []struct {
		name, sqlstate, message string
		code, says              string
	}{
		{"NUL in text", codeBadEncoding, `invalid byte sequence for encoding "UTF8": 0x00`, triage.EINVALID, "NUL"},
		{"NUL in JSON", codeUntranslatable, `unsupported Unicode escape sequence`, triage.EINVALID, "NUL"},
		{"out of range", "22003", `value "99999999999" is out of range for type integer`, triage.EINVALID, "out of range"},
		{"serialization", codeSerialization, "could not serialize access", triage.EUNAVAILABLE, "retry"},
		{"deadlock", codeDeadlock, "deadlock detected", triage.EUNAVAILABLE, "retry"},
		{"other", "XX000", "internal error", triage.EINTERNAL, "postgres: save"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := dbError("save", &pgconn.PgError{Code: tc.sqlstate, Message: tc.message})
			var te *triage.Error
			switch {
			case tc.code == triage.EINTERNAL:
				if errors.As(err, &te) {
					t.Fatalf("%v became %s", err, te.Code)
				}
			case !triage.IsCode(err, tc.code):
				t.Fatalf("%v: want code %s", err, tc.code)
			}
			if !strings.Contains(triage.ErrorMessageOrText(err), tc.says) && !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%q does not say %q", triage.ErrorMessageOrText(err), tc.says)
			}
		})
	}
}
