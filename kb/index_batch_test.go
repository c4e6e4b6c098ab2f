package kb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kb"
)

// countingText is a text index that counts its calls and refuses any
// document whose title holds "拒收", as an index refuses a bad value.
type countingText struct {
	indexCalls, deletes int
	docs                map[string]triage.SearchDoc
}

func (c *countingText) Index(_ context.Context, docs ...triage.SearchDoc) error {
	c.indexCalls++
	for _, d := range docs {
		if strings.Contains(d.Title, "拒收") {
			return errors.New("refused")
		}
	}
	for _, d := range docs {
		c.docs[d.ID] = d
	}
	return nil
}

func (c *countingText) DeleteOwner(_ context.Context, kind, owner string) error {
	c.deletes++
	for id, d := range c.docs {
		if d.Kind == kind && d.OwnerID == owner {
			delete(c.docs, id)
		}
	}
	return nil
}

func (c *countingText) Search(context.Context, triage.TextQuery) ([]triage.TextHit, error) {
	return nil, nil
}
func (c *countingText) Count(context.Context, string) (int, error) { return len(c.docs), nil }
func (c *countingText) Close() error                               { return nil }

// TestCatchUpIndexesAPageAtOnce: a page of changed owners reaches the text
// index in one call (one bleve batch, one wait for the disk), not one per
// owner; when that call is refused, each owner is indexed alone and only
// the refused one is skipped.
func TestCatchUpIndexesAPageAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name        string
		titles      []string
		wantCalls   int
		wantSkipped []string
	}{
		{"one call for the page", []string{"退款多久到账", "发票怎么开", "怎么改地址", "优惠券过期了"}, 1, nil},
		{"a refused owner is skipped alone", []string{"退款多久到账", "拒收的文章", "怎么改地址"}, 1 + 3, []string{"拒收的文章"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t)
			ed := as(triage.RoleEditor, "")
			byID := map[string]string{}
			for _, title := range tc.titles {
				a := mustCreate(t, s, ed, triage.NewArticle{Title: title, Body: title + "，详见帮助中心。", Category: "售后"})
				mustUpdate(t, s, ed, a, status(triage.ArticlePublished))
				byID[a.ID] = title
			}
			text := &countingText{docs: map[string]triage.SearchDoc{}}
			var skipped []string
			ix := &kb.Indexer{Store: s.Store, Text: text, Skip: func(_ triage.SkipKind, id string, _ error) {
				_, owner, _ := strings.Cut(id, ":")
				skipped = append(skipped, byID[owner])
			}}
			if _, err := ix.CatchUp(system); err != nil {
				t.Fatal(err)
			}
			if text.indexCalls != tc.wantCalls || !slices.Equal(skipped, tc.wantSkipped) {
				t.Fatalf("%d index calls, skipped %v; want %d and %v", text.indexCalls, skipped, tc.wantCalls, tc.wantSkipped)
			}
			owners := map[string]bool{}
			for _, d := range text.docs {
				owners[d.OwnerID] = true
			}
			if want := len(tc.titles) - len(tc.wantSkipped); len(owners) != want {
				t.Fatalf("%d owners indexed, want %d: %v", len(owners), want, fmt.Sprint(owners))
			}
		})
	}
}

// TestRebuildIndexesPages: a rebuild gives the text index a page of owners
// in one call (one bleve batch and one wait for the disk), not one call per
// owner, and still removes what an owner no longer has and tells progress
// of every owner.
func TestRebuildIndexesPages(t *testing.T) {
	for _, tc := range []struct {
		name      string
		titles    []string
		wantCalls int
	}{
		{"one owner", []string{"退款多久到账"}, 1},
		{"a page", []string{"退款多久到账", "发票怎么开", "怎么改地址", "优惠券过期了"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t)
			ed := as(triage.RoleEditor, "")
			var first string
			for _, title := range tc.titles {
				a := mustCreate(t, s, ed, triage.NewArticle{Title: title, Body: title + "，详见帮助中心。", Category: "售后"})
				mustUpdate(t, s, ed, a, status(triage.ArticlePublished))
				if first == "" {
					first = a.ID
				}
			}
			// A chunk the index holds from before, which the article no
			// longer has.
			stale := triage.SearchDoc{ID: "article:" + first + "#9", Kind: triage.DocArticle, OwnerID: first, Chunk: 9, Title: "旧"}
			text := &countingText{docs: map[string]triage.SearchDoc{stale.ID: stale}}
			var last [2]int
			ix := &kb.Indexer{Store: s.Store, Text: text}
			if err := ix.Rebuild(system, false, func(stage string, done, total int) {
				if stage == "index" {
					last = [2]int{done, total}
				}
			}); err != nil {
				t.Fatal(err)
			}
			if text.indexCalls != tc.wantCalls {
				t.Errorf("%d index calls for %d owners; want %d", text.indexCalls, len(tc.titles), tc.wantCalls)
			}
			owners := map[string]bool{}
			for _, d := range text.docs {
				owners[d.OwnerID] = true
			}
			if _, ok := text.docs[stale.ID]; ok || len(owners) != len(tc.titles) {
				t.Errorf("%d owners indexed, want %d; stale chunk kept: %v", len(owners), len(tc.titles), ok)
			}
			if want := [2]int{len(tc.titles), len(tc.titles)}; last != want {
				t.Errorf("progress ended at %v; want %v", last, want)
			}
		})
	}
}
