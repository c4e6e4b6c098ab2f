package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// DictWords returns the user dictionary in word order, which is UTF-8 byte
// order (the column is COLLATE "C"), the same as Go's string order.
func (s queries) DictWords(ctx context.Context) ([]*triage.DictWord, error) {
	rows, err := s.q.Query(ctx, `SELECT word, freq, tag, created_at FROM dict_words ORDER BY word`)
	return collect(rows, err, "dictionary", func(r pgx.Rows) (*triage.DictWord, error) {
		var w triage.DictWord
		err := r.Scan(&w.Word, &w.Freq, &w.Tag, &w.CreatedAt)
		return &w, err
	})
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
	err := tx.tx.QueryRow(ctx, `
		INSERT INTO dict_words (word, freq, tag, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (word) DO UPDATE SET freq = excluded.freq, tag = excluded.tag
		RETURNING created_at`,
		w.Word, w.Freq, w.Tag, triage.StoreTime(created)).Scan(&w.CreatedAt)
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
	tag, err := tx.tx.Exec(ctx, `DELETE FROM dict_words WHERE word = $1`, word)
	if err != nil {
		return dbError("delete dictionary word", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.Errorf(triage.ENOTFOUND, "dictionary word %q not found", word)
	}
	return tx.logChange(ctx, "dict", word, "delete")
}
