package suggest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// stubDrafter is a triage.Drafter made of a function; with instructions
// set it also shows its system prompt.
type stubDrafter struct {
	draft func(ctx context.Context, req triage.DraftRequest) (string, error)
	mu    sync.Mutex
	got   []triage.DraftRequest
}

func (d *stubDrafter) Model() string { return "stub-1" }

func (d *stubDrafter) Draft(ctx context.Context, req triage.DraftRequest) (string, error) {
	d.mu.Lock()
	d.got = append(d.got, req)
	d.mu.Unlock()
	return d.draft(ctx, req)
}

type showingDrafter struct {
	stubDrafter
	instructions string
}

func (d *showingDrafter) Instructions(triage.DraftRequest) string { return d.instructions }

var writerSources = []triage.Source{
	{N: 1, Kind: triage.DocArticle, Title: "退款到账时间", Fused: 0.03, Snippet: "退款审核通过后原路退回，一般1-3个工作日到账。客服邮箱 help@shop.example 。"},
	{N: 2, Kind: triage.DocTicket, Title: "退款没到", Fused: 0.02, Snippet: "客户13912345678说退款没到",
		Resolution: "已提交银行处理，请以银行入账时间为准。"},
}

func TestWriterFallbacks(t *testing.T) {
	tests := []struct {
		name     string
		llm      triage.Drafter
		ctx      func() (context.Context, context.CancelFunc)
		mode     string
		fallback string
	}{
		{name: "no LLM", mode: triage.DraftExtractive},
		{name: "good", llm: &stubDrafter{draft: func(context.Context, triage.DraftRequest) (string, error) {
			return "您好，一般1-3个工作日到账[1]。", nil
		}}, mode: triage.DraftLLM},
		{name: "error", llm: &stubDrafter{draft: func(context.Context, triage.DraftRequest) (string, error) {
			return "", triage.Errorf(triage.EUNAVAILABLE, "LLM service unavailable (HTTP 503)")
		}}, mode: triage.DraftExtractive, fallback: "LLM error: LLM service unavailable (HTTP 503)"},
		{name: "foreign error keeps its text out", llm: &stubDrafter{draft: func(context.Context, triage.DraftRequest) (string, error) {
			return "", errors.New("dial tcp 10.0.0.7:443: secret internals")
		}}, mode: triage.DraftExtractive, fallback: "LLM error: internal error"},
		{name: "panic", llm: &stubDrafter{draft: func(context.Context, triage.DraftRequest) (string, error) {
			panic("boom")
		}}, mode: triage.DraftExtractive, fallback: "LLM error: the drafter panicked"},
		{name: "ignores its context", llm: &stubDrafter{draft: func(context.Context, triage.DraftRequest) (string, error) {
			time.Sleep(2 * time.Second)
			return "您好，一般1-3个工作日到账[1]。", nil
		}}, mode: triage.DraftExtractive, fallback: "LLM timed out after 50ms"},
		{name: "caller cancels", llm: &stubDrafter{draft: func(ctx context.Context, _ triage.DraftRequest) (string, error) {
			<-ctx.Done()
			return "", ctx.Err()
		}}, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, mode: triage.DraftExtractive, fallback: "LLM call cancelled"},
		{name: "caller's deadline", llm: &stubDrafter{draft: func(ctx context.Context, _ triage.DraftRequest) (string, error) {
			<-ctx.Done()
			return "", ctx.Err()
		}}, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 10*time.Millisecond)
		}, mode: triage.DraftExtractive, fallback: "LLM call outlived the request's deadline"},
		{name: "shown prompt repeated", llm: &showingDrafter{
			stubDrafter: stubDrafter{draft: func(context.Context, triage.DraftRequest) (string, error) {
				return "您好，规则一：只使用编号的参考资料回答客户的问题并标注来源[1]。", nil
			}},
			instructions: "规则一：只使用编号的参考资料回答客户的问题并标注来源，不要编造。",
		}, mode: triage.DraftExtractive, fallback: "invalid LLM draft: reveals the prompt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			w := &Writer{LLM: tt.llm, Timeout: 50 * time.Millisecond}
			start := time.Now()
			d := w.Write(ctx, "退款什么时候到账", "退款还没到账，多久能到？", writerSources)
			if el := time.Since(start); el > time.Second {
				t.Errorf("Write took %v", el)
			}
			if d.Mode != tt.mode || reasonText(d.Fallback) != tt.fallback {
				t.Fatalf("mode %q fallback %q, want %q %q", d.Mode, reasonText(d.Fallback), tt.mode, tt.fallback)
			}
			switch d.Mode {
			case triage.DraftLLM:
				if d.Model != "stub-1" || !slices.Equal(d.Citations, []int{1}) {
					t.Errorf("draft %+v", d)
				}
			case triage.DraftExtractive:
				if d.Model != "" || d.Text == "" || len(d.Citations) == 0 {
					t.Errorf("draft %+v", d)
				}
			}
		})
	}
}

func TestWriterMasksBeforeTheDrafter(t *testing.T) {
	llm := &stubDrafter{draft: func(context.Context, triage.DraftRequest) (string, error) { return "", errors.New("down") }}
	w := &Writer{LLM: llm}
	d := w.Write(context.Background(), "退款 13800138000", "身份证11010519491231002X 卡号6222021234567890128 邮箱zhangsan@example.com", writerSources)
	req := llm.got[0]
	all := req.Title + req.Body
	for _, s := range req.Sources {
		all += s.Title + s.Snippet + s.Resolution
	}
	for _, raw := range []string{"13800138000", "11010519491231002X", "6222021234567890128", "zhangsan@example.com", "13912345678", "help@shop.example"} {
		if strings.Contains(all, raw) {
			t.Errorf("the drafter saw %s", raw)
		}
	}
	// The extractive draft may quote an article's own address, never a
	// customer's data.
	if strings.Contains(d.Text, "13912345678") || strings.Contains(d.Text, "13800138000") {
		t.Errorf("the draft quotes personal data:\n%s", d.Text)
	}
	if writerSources[1].Snippet != "客户13912345678说退款没到" {
		t.Error("Write changed the caller's sources")
	}
}

func TestWriterNumbering(t *testing.T) {
	var got triage.DraftRequest
	llm := &stubDrafter{draft: func(_ context.Context, req triage.DraftRequest) (string, error) {
		got = req
		return "您好，请以银行入账时间为准[2]。", nil
	}}
	unnumbered := slices.Clone(writerSources)
	unnumbered[0].N, unnumbered[1].N = 0, 0
	w := &Writer{LLM: llm}
	d := w.Write(context.Background(), "退款", "退款还没到账", unnumbered)
	if got.Sources[0].N != 1 || got.Sources[1].N != 2 {
		t.Errorf("sources numbered %d, %d; want 1, 2", got.Sources[0].N, got.Sources[1].N)
	}
	if d.Mode != triage.DraftLLM || !slices.Equal(d.Citations, []int{2}) {
		t.Errorf("draft %+v", d)
	}
}

func TestWriterNone(t *testing.T) {
	calls := 0
	llm := &stubDrafter{draft: func(context.Context, triage.DraftRequest) (string, error) {
		calls++
		return "", errors.New("down")
	}}
	w := &Writer{LLM: llm, MinScore: 0.01}
	if d := w.Write(context.Background(), "退款", "退款", nil); d.Mode != triage.DraftNone || calls != 0 {
		t.Errorf("no sources: %+v after %d calls", d, calls)
	}
	low := []triage.Source{{N: 1, Kind: triage.DocArticle, Fused: 0.005, Snippet: "退款一般三天到账。"}}
	if d := w.Write(context.Background(), "退款", "退款", low); d.Mode != triage.DraftNone || calls != 0 {
		t.Errorf("below MinScore: %+v after %d calls", d, calls)
	}
	// Only an unresolved ticket: nothing to quote after the LLM failed.
	open := []triage.Source{{N: 1, Kind: triage.DocTicket, Fused: 0.5, Snippet: "退款到了吗？"}}
	d := w.Write(context.Background(), "退款", "退款", open)
	if d.Mode != triage.DraftNone || reasonText(d.Fallback) != "LLM error: internal error" || calls != 1 {
		t.Errorf("nothing quotable: %+v after %d calls", d, calls)
	}
}
