package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// dictWords lists the stored dictionary through the API.
func dictWords(t *testing.T, r *running) []string {
	t.Helper()
	w := r.call("GET", "/v1/dictionary", "")
	if w.Code != 200 {
		t.Fatalf("GET /v1/dictionary: %d %s", w.Code, w.Body)
	}
	var out struct{ Items []triage.DictWord }
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, d := range out.Items {
		words = append(words, d.Word)
	}
	return words
}

// TestRefusedDictionaryWordLeavesNothing posts the word x;y, which the
// segmenter refuses: the 400 leaves nothing stored, and the service starts
// again as before.
func TestRefusedDictionaryWordLeavesNothing(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.config(t)
			r := start(t, cfg)
			for _, word := range []string{"x;y", "退款。到账", "!!!", strings.Repeat("长", 33)} {
				body, _ := json.Marshal(map[string]any{"words": []map[string]any{{"word": "星河手环"}, {"word": word}}})
				if w := r.call("POST", "/v1/dictionary", string(body)); w.Code != 400 || !strings.Contains(w.Body.String(), "words[1].word") {
					t.Errorf("POST %q: %d %s, want 400 naming words[1].word", word, w.Code, w.Body)
				}
			}
			if words := dictWords(t, r); len(words) != 0 {
				t.Errorf("after refused posts the dictionary holds %q, want nothing", words)
			}
			r.caughtUp()
			r.stop()
			start(t, cfg)
		})
	}
}

// TestStoredBadDictionaryWordIsSkipped writes words the segmenter refuses
// straight into the store, as an older version or a hand edit could: the
// follower skips them and goes on, a restart is ready, the skip is
// reported (GET /v1/skipped, /metrics), and the API deletes each word.
func TestStoredBadDictionaryWordIsSkipped(t *testing.T) {
	bad := []string{"x;y", " ", "%", "?x#y", "退款。到账"}
	// %41 is a good word that a path decoded twice would turn into A.
	tricky := []string{"%41", "a/b"}
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.config(t)
			// The segmenter is shared: each store adds a word of its own.
			good := map[string]string{"sqlite": "极光耳机壳", "postgres": "星云耳机壳"}[st.name]
			r := start(t, cfg)
			ctx := context.Background()
			err := r.Store.Update(ctx, func(tx triage.Tx) error {
				for _, word := range append(slices.Clone(bad), good, tricky[0]) {
					if err := tx.PutDictWord(ctx, &triage.DictWord{Word: word, CreatedAt: time.Now().UTC()}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			r.caughtUp()
			if got := r.Segmenter.Words(good); !slices.Equal(got, []string{good}) {
				t.Errorf("the good word beside the bad ones was not followed: %q", got)
			}
			r.stop()

			r = start(t, cfg)
			w := r.call("GET", "/v1/skipped", "")
			var skipped struct{ Items []triage.Skipped }
			if err := json.Unmarshal(w.Body.Bytes(), &skipped); w.Code != 200 || err != nil {
				t.Fatalf("GET /v1/skipped: %d %s", w.Code, w.Body)
			}
			var ids []string
			for _, s := range skipped.Items {
				if s.Kind == triage.SkipDictionary && s.Error != "" {
					ids = append(ids, s.ID)
				}
			}
			slices.Sort(ids)
			want := slices.Sorted(slices.Values(bad))
			if !slices.Equal(ids, want) {
				t.Errorf("GET /v1/skipped lists %q, want %q", ids, want)
			}
			m := r.call("GET", "/metrics", "")
			if line := fmt.Sprintf(`triage_derived_skipped_total{kind="dictionary"} %d`, len(bad)); !strings.Contains(m.Body.String(), line) {
				t.Errorf("/metrics lacks %s", line)
			}
			if got := r.Segmenter.Words(good); !slices.Equal(got, []string{good}) {
				t.Errorf("after the restart the good word is not loaded: %q", got)
			}
			// a/b is a good word whose path needs an encoded slash.
			if w := r.call("POST", "/v1/dictionary", `{"words":[{"word":"a/b"}]}`); w.Code != 201 {
				t.Fatalf("POST a/b: %d %s", w.Code, w.Body)
			}
			for _, word := range append(slices.Clone(bad), tricky...) {
				if w := r.call("DELETE", "/v1/dictionary/"+url.PathEscape(word), "", `If-Match: "1"`); w.Code != 204 {
					t.Errorf("DELETE %q: %d %s", word, w.Code, w.Body)
				}
			}
			if words := dictWords(t, r); !slices.Equal(words, []string{good}) {
				t.Errorf("after the deletes the dictionary holds %q", words)
			}
			r.caughtUp()
			if w := r.call("GET", "/v1/skipped", ""); strings.Contains(w.Body.String(), `"dictionary"`) {
				t.Errorf("deleted words are still listed as skipped: %s", w.Body)
			}
		})
	}
}
