package postgres

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/pressly/goose/v3"
)

// migrationError says which migration failed and why. goose runs each
// migration in a transaction of its own, so the one that failed left
// nothing behind, and those before it (named too) are applied.
func migrationError(err error) error {
	var pe *goose.PartialError
	if !errors.As(err, &pe) || pe.Failed == nil || pe.Failed.Source == nil {
		return err
	}
	msg := fmt.Sprintf("migration %s failed and was rolled back", path.Base(pe.Failed.Source.Path))
	if len(pe.Applied) > 0 {
		var names []string
		for _, r := range pe.Applied {
			names = append(names, path.Base(r.Source.Path))
		}
		msg += " (applied before it: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Errorf("%s: %w", msg, pe.Err)
}
