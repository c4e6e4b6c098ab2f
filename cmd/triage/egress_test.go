package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// leak is personal data as customers type it, with the forms a careless
// masker lets through: separators, +86 and 0086, full-width digits,
// zero-width characters, a lower-case x, a full-width ＠, a Chinese domain.
var leak = []string{
	"13912345670", "139.1234.5671", "139—1234—5672", "+86-139-1234-5673", "0086 13912345674", "１３９１２３４５６７５", "139\u200b1234\u200b5676",
	"010-62345678", "0755 2345678",
	"11010519491231002x", "310115198512032014",
	"6222021234567890128", "4111 1111 1111 1111",
	"li.lei＠example.com", "kefu@例子.中国", "han.meimei@mail.example.cn",
}

// fakeOpenAI speaks the OpenAI embeddings and chat completions APIs and
// keeps every request body.
type fakeOpenAI struct {
	dim int
	mu  sync.Mutex
	got []recorded
}

type recorded struct {
	path string
	body []byte
}

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.got = append(f.got, recorded{r.URL.Path, body})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/embeddings"):
		var req struct {
			Input []string `json:"input"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		data := make([]map[string]any, len(req.Input))
		for i, s := range req.Input {
			// A vector from the text's character bigrams, so that similar
			// texts are near and search has something to rank.
			v := make([]float32, f.dim)
			rs := []rune(s)
			for j := 0; j+1 < len(rs); j++ {
				h := fnv.New32a()
				h.Write([]byte(string(rs[j : j+2])))
				v[h.Sum32()%uint32(f.dim)]++
			}
			v[0]++
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "fake-embed"})
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": "fake-chat",
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": "您好，退款审核通过后一般1-3个工作日原路退回[1]。如有疑问请随时联系我们。"}}}})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeOpenAI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.got...)
}

// quiet waits until no request has arrived for a while: the service
// embeds in the background after each write.
func (f *fakeOpenAI) quiet(t *testing.T) {
	t.Helper()
	last, since := -1, time.Now()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n := len(f.requests()); n != last {
			last, since = n, time.Now()
		} else if time.Since(since) > 1500*time.Millisecond {
			return
		}
	}
}

// folded is how a value is compared: lower case, full-width and other
// scripts' digits as ASCII, without invisible characters and without the
// separators people put inside numbers and addresses, so 139 1234 5678
// and １３９１２３４５６７８ are found as 13912345678.
func folded(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= '！' && r <= '～':
			r = r - '！' + '!'
		case unicode.IsDigit(r) && r > 0x7f:
			r = '0' + ndDigit(r)
		}
		if unicode.In(r, unicode.Cf, unicode.Mn) || strings.ContainsRune(" \u00a0\u3000-—–.·+", r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ndDigit(r rune) rune {
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return (r - rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return (r - rune(rg.Lo)) % 10
		}
	}
	return 0
}

// leaked returns the values of leak that text contains, in any spelling.
func leaked(text string) []string {
	f := folded(text)
	var out []string
	for _, v := range leak {
		fv := folded(v)
		// The country code is not part of the number it prefixes.
		fv = strings.TrimPrefix(strings.TrimPrefix(fv, "0086"), "86")
		if strings.Contains(f, fv) {
			out = append(out, v)
		}
	}
	return out
}

// jsonStrings returns every string in a JSON document, one per line, so
// that escapes (\u200b) are compared as the characters they stand for.
func jsonStrings(t *testing.T, body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("a request body is not JSON: %v: %q", err, body)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x + "\n")
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				b.WriteString(k + "\n")
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}

// TestNoPersonalDataLeavesTheProcess runs every path that sends text to
// an OpenAI-compatible endpoint (ticket create, suggestions, search, rules
// dry-run, article publish, a solved ticket's resolution, comments,
// training, triage reindex) with tickets, articles and comments full of
// personal data, against a fake endpoint that records every request
// body, and checks that none of the data reaches it, nor the log.
func TestNoPersonalDataLeavesTheProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the service with its job queue; skipped with -short")
	}
	if got := leaked(strings.Join(leak, " ")); len(got) != len(leak) {
		t.Fatalf("the check finds only %d of the %d values in their own text", len(got), len(leak))
	}
	api := &fakeOpenAI{dim: 8}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	t.Setenv("TRIAGE_EMBED_API_KEY", "sk-embed-test")
	t.Setenv("TRIAGE_LLM_API_KEY", "sk-llm-test")
	dir := t.TempDir()
	search := []string{"--embed-base-url", srv.URL + "/v1", "--embed-model", "fake-embed", "--embed-dim", "8"}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--log-level", "debug",
		"--llm-base-url", srv.URL + "/v1", "--llm-model", "fake-chat"}, search...)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, &out, &logs) }()
	base := waitFor(t, &out, "url")
	token := strings.Fields(out.String()[strings.Index(out.String(), "trg_"):])[0]

	call := func(method, path string, body any, want int) map[string]any {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = strings.NewReader(string(b))
		}
		req, _ := http.NewRequest(method, base+path, r)
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if method == "PATCH" {
			req.Header.Set("If-Match", "*")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		var v map[string]any
		json.Unmarshal(b, &v)
		return v
	}

	// The knowledge base: an article with the company's and a customer's
	// contact data, published.
	art := call("POST", "/v1/articles", map[string]any{
		"title": "退款多久到账", "category": "退款",
		"body": "退款审核通过后，一般1-3个工作日原路退回。示例：客户" + leak[0] + "的退款退到卡" + leak[11] + "。如有疑问请发邮件到" + leak[13] + "或致电" + leak[7] + "。",
	}, 201)
	call("PATCH", "/v1/articles/"+art["id"].(string), map[string]any{"status": "published", "override": "测试数据：同一位管理员写并发布"}, 200)

	// Tickets full of personal data; one is answered and solved, so its
	// resolution is indexed and embedded.
	var tickets []string
	for i := range 3 {
		tk := call("POST", "/v1/tickets", map[string]any{
			"title":     fmt.Sprintf("退款没到账 %s", leak[1+i]),
			"body":      "订单2024110812345678退款一周了还没到账。身份证" + leak[9] + "，退款卡" + leak[12] + "，邮箱" + leak[14+i%2] + "，手机" + leak[4+i] + "，座机" + leak[8] + "。",
			"requester": map[string]any{"name": "李雷", "phone": leak[0], "email": leak[15]},
		}, 201)
		tickets = append(tickets, tk["id"].(string))
	}
	call("POST", "/v1/tickets/"+tickets[0]+"/comments", map[string]any{
		"body": "您好，已为您核实，退款已退至尾号卡" + leak[11] + "，如未收到请联系" + leak[2] + "或" + leak[15] + "。", "public": true}, 201)
	call("POST", "/v1/tickets/"+tickets[0]+"/comments", map[string]any{
		"body": "客户又留了一个号码" + leak[6] + "，身份证" + leak[10], "from_requester": true}, 201)
	call("PATCH", "/v1/tickets/"+tickets[0], map[string]any{"status": "solved"}, 200)
	api.quiet(t)

	// Suggestions (with an LLM draft), search in every mode, dry-run and
	// training.
	for _, id := range tickets[1:] {
		call("GET", "/v1/tickets/"+id+"/suggestions?refresh=true", nil, 200)
	}
	for _, mode := range []string{"hybrid", "vector", "lexical"} {
		for _, kind := range []string{"article", "ticket"} {
			q := url.Values{"q": {"退款 " + leak[3] + " " + leak[10] + " " + leak[14]}, "mode": {mode}, "kind": {kind}}
			call("GET", "/v1/search?"+q.Encode(), nil, 200)
		}
	}
	call("POST", "/v1/rules/dry-run", map[string]any{"title": "退款 " + leak[5], "body": "卡号" + leak[11] + " 身份证" + leak[9] + " 邮箱" + leak[15],
		"requester": map[string]any{"phone": leak[0], "email": leak[15]}}, 200)
	call("POST", "/v1/models/train", map[string]any{"kind": "embedder"}, 202)
	call("POST", "/v1/models/train", map[string]any{"kind": "category"}, 202)
	api.quiet(t)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, logs.String())
	}

	// triage reindex re-embeds everything.
	before := len(api.requests())
	var rout syncBuffer
	if code := run(context.Background(), append([]string{"reindex", "--data", dir}, search...), &rout, &logs); code != 0 {
		t.Fatalf("reindex exited %d:\n%s\n%s", code, rout.String(), logs.String())
	}

	reqs := api.requests()
	paths := map[string]int{}
	for _, r := range reqs {
		paths[r.path]++
		if got := leaked(jsonStrings(t, r.body)); len(got) > 0 {
			t.Errorf("%s received %q in %s", r.path, got, r.body)
		}
	}
	t.Logf("requests: %v (%d during reindex)", paths, len(reqs)-before)
	if paths["/v1/embeddings"] == 0 || paths["/v1/chat/completions"] == 0 || len(reqs) == before {
		t.Fatalf("the paths did not reach the endpoint: %v, %d during reindex", paths, len(reqs)-before)
	}
	// The masked text still carries what it was about.
	all := ""
	for _, r := range reqs {
		all += jsonStrings(t, r.body)
	}
	for _, p := range []string{"【手机号1】", "【身份证号1】", "【银行卡号1】", "【邮箱1】", "【电话1】", "订单2024110812345678", "退款"} {
		if !strings.Contains(all, p) {
			t.Errorf("no request carries %s", p)
		}
	}
	if got := leaked(logs.String()); len(got) > 0 {
		t.Errorf("the log contains %q:\n%s", got, logs.String())
	}
}
