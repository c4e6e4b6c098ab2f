package segment

import (
	"slices"
	"sync"
	"testing"
)

// TestCachedTermsAfterWords checks that a clause the cache holds from
// Words, whose terms are made only when Tokens asks, gives Tokens the same
// terms as a segmenter without the cache, also when goroutines ask for
// both at once (run with -race).
func TestCachedTermsAfterWords(t *testing.T) {
	cached := testSegmenter(t, false)
	plain := benchSegmenter(t, false)
	texts := []string{"极光Pro手环的手机号码归属地查询不到，退款0.05元还没到账", "手机号码归属地查询", "我的物流信息一直没更新。请尽快处理！"}
	for _, text := range texts {
		t.Run(text, func(t *testing.T) {
			want := plain.Tokens(text)
			var wg sync.WaitGroup
			got := make([][]string, 4)
			for i := range got {
				wg.Go(func() {
					if i%2 == 0 {
						cached.Words(text)
					}
					for _, term := range cached.Tokens(text) {
						got[i] = append(got[i], term.Text)
					}
				})
			}
			wg.Wait()
			var wantText []string
			for _, term := range want {
				wantText = append(wantText, term.Text)
			}
			for i, g := range got {
				if !slices.Equal(g, wantText) {
					t.Errorf("goroutine %d: Tokens = %q, without the cache %q", i, g, wantText)
				}
			}
			if again := cached.Tokens(text); !slices.Equal(again, want) {
				t.Errorf("Tokens from the cache = %v, without it %v", again, want)
			}
		})
	}
}
