package sqlite

import (
	"context"

	"github.com/triagehq/triage"
)

// DictWords returns the user dictionary in word order, which is UTF-8 byte
// order (SQLite's BINARY collation), the same as Go's string order.
func (s queries) DictWords(ctx context.Context) ([]*triage.DictWord, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT word, freq, tag, created_at FROM dict_words ORDER BY word`)
	if err != nil {
		return nil, dbError("dictionary", err)
	}
	defer rows.Close()
	out := []*triage.DictWord{}
	for rows.Next() {
		var w triage.DictWord
		if err := rows.Scan(&w.Word, &w.Freq, &w.Tag, timeCol{&w.CreatedAt}); err != nil {
			return nil, dbError("dictionary", err)
		}
		out = append(out, &w)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("dictionary", err)
	}
	return out, nil
}

// PutDictWord adds w, or replaces the frequency and tag of the word already
// there. A replaced word keeps the CreatedAt of its first insert, and w gets
// it back; a new word with a zero CreatedAt is stamped with the
// transaction's time. It logs (dict, word, update) either way.
func (tx *Tx) PutDictWord(ctx context.Context, w *triage.DictWord) error {
	if err := triage.Required("word", w.Word); err != nil {
		return err
	}
	created := w.CreatedAt
	if created.IsZero() {
		created = tx.now
	}
	err := tx.tx.QueryRowContext(ctx, `
		INSERT INTO dict_words (word, freq, tag, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (word) DO UPDATE SET freq = excluded.freq, tag = excluded.tag
		RETURNING created_at`,
		w.Word, w.Freq, w.Tag, micros(created)).Scan(timeCol{&w.CreatedAt})
	if err != nil {
		return dbError("put dictionary word", err)
	}
	return tx.logChange(ctx, "dict", w.Word, "update")
}

// DeleteDictWord removes a word; ENOTFOUND when it is not there.
func (tx *Tx) DeleteDictWord(ctx context.Context, word string) error {
	if err := triage.Required("word", word); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM dict_words WHERE word = ?`, word)
	if err != nil {
		return dbError("delete dictionary word", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete dictionary word", err)
	} else if n == 0 {
		return triage.Errorf(triage.ENOTFOUND, "dictionary word %q not found", word)
	}
	return tx.logChange(ctx, "dict", word, "delete")
}
