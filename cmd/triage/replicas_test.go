package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/postgres/pgtest"
)

// replica is one in-process triage server.
type replica struct {
	m    *app.App
	url  string
	logs *syncBuffer
}

// startReplica runs an App as `triage serve --db db --data dir` would, on
// a free port, until the test ends. Its log is printed if the test fails.
func startReplica(t testing.TB, db, dir string, extra ...string) *replica {
	t.Helper()
	var cfg app.Config
	var level string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	serveFlags(fs, &cfg, &level)
	args := append([]string{"--db", db, "--data", dir, "--addr", "127.0.0.1:0"}, extra...)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg.AdminToken, cfg.Version = testAdmin, version
	logs := &syncBuffer{}
	cfg.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	m, err := app.Open(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("open: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- runApp(ctx, m, ln, io.Discard, io.Discard) }()
	r := &replica{m: m, url: "http://" + ln.Addr().String(), logs: logs}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("replica %s: %v", r.url, err)
		}
		m.Close()
		if t.Failed() {
			t.Logf("log of %s:\n%s", r.url, logs.String())
		}
	})
	eventually(t, 60*time.Second, "replica "+r.url+" ready", func() bool {
		code, _ := r.call("GET", "/readyz", nil, nil)
		return code == 200
	})
	return r
}

// call sends one API request as the test admin and returns the status and
// body; a transport error is status 0.
func (r *replica) call(method, path string, body any, hdr map[string]string) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+testAdmin)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// must is call that fails the test unless the status is want, and decodes
// the body into out (when not nil).
func (r *replica) must(t testing.TB, want int, method, path string, body any, hdr map[string]string, out any) {
	t.Helper()
	code, b := r.call(method, path, body, hdr)
	if code != want {
		t.Fatalf("%s %s on %s: %d %s, want %d", method, path, r.url, code, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type searchHits struct {
	Items []struct {
		OwnerID string `json:"owner_id"`
		ID      string `json:"id"`
		Title   string `json:"title"`
	} `json:"items"`
}

// found reports whether a search through r finds the title.
func (r *replica) found(t testing.TB, kind, q, title string) bool {
	t.Helper()
	var hits searchHits
	r.must(t, 200, "GET", "/v1/search?mode=lexical&kind="+kind+"&q="+url.QueryEscape(q), nil, nil, &hits)
	for _, h := range hits.Items {
		if h.Title == title {
			return true
		}
	}
	return false
}

// TestTwoReplicas runs two servers on one database, each with its own data
// directory (its own text index), as two replicas behind a load balancer.
func TestTwoReplicas(t *testing.T) {
	db := pgtest.NewDatabase(t)
	a := startReplica(t, db, t.TempDir())
	b := startReplica(t, db, t.TempDir())

	t.Run("written through one, found through the other", func(t *testing.T) {
		var art struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		title := "跨副本搜索的以旧换新折算说明"
		a.must(t, 201, "POST", "/v1/articles", map[string]any{"title": title, "body": "旧机按成色评估，折价直接抵扣新机货款。", "category": "会员与优惠"}, nil, &art)
		a.must(t, 200, "PATCH", "/v1/articles/"+art.ID, map[string]any{"status": "published", "override": "测试数据：同一位管理员写并发布"}, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, art.Version)}, nil)
		b.must(t, 200, "GET", "/v1/articles/"+art.ID, nil, nil, nil)
		eventually(t, 15*time.Second, "the article in the other replica's index", func() bool { return b.found(t, "article", "以旧换新折算", title) })

		var tk struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		ttitle := "副本之间的发票抬头修改"
		b.must(t, 201, "POST", "/v1/tickets", map[string]any{"title": ttitle, "body": "发票抬头写错了，怎么修改？"}, nil, &tk)
		var got struct{ Title string }
		a.must(t, 200, "GET", "/v1/tickets/"+tk.ID, nil, nil, &got)
		if got.Title != ttitle {
			t.Errorf("ticket read through the other replica: %q", got.Title)
		}
		// A resolved ticket joins the similar-ticket index of every replica.
		b.must(t, 201, "POST", "/v1/tickets/"+tk.ID+"/comments", map[string]any{"body": "在订单页申请换开发票即可。", "public": true}, nil, nil)
		b.must(t, 200, "GET", "/v1/tickets/"+tk.ID, nil, nil, &tk)
		b.must(t, 200, "PATCH", "/v1/tickets/"+tk.ID, map[string]any{"status": "solved"}, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, tk.Version)}, nil)
		eventually(t, 15*time.Second, "the solved ticket in the other replica's index", func() bool { return a.found(t, "ticket", "发票抬头修改", ttitle) })
	})

	t.Run("no agent past capacity", func(t *testing.T) {
		const capacity = 3
		for _, name := range []string{"周婷", "李雷"} {
			a.must(t, 201, "POST", "/v1/agents", map[string]any{"name": name, "email": name + "@example.com", "skills": []string{"物流配送"}, "capacity": capacity, "online": true}, nil, nil)
		}
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Go(func() {
				r := []*replica{a, b}[i%2]
				code, body := r.call("POST", "/v1/tickets", map[string]any{"title": fmt.Sprintf("快递没到 %d", i), "body": "物流一直不更新", "category": "物流配送"}, nil)
				if code != 201 {
					t.Errorf("create %d on %s: %d %s", i, r.url, code, body)
				}
			})
		}
		wg.Wait()
		var agents struct {
			Items []struct {
				Name     string
				Open     int
				Capacity int
			}
		}
		b.must(t, 200, "GET", "/v1/agents", nil, nil, &agents)
		total := 0
		for _, ag := range agents.Items {
			if ag.Open > ag.Capacity {
				t.Errorf("%s holds %d tickets, capacity %d", ag.Name, ag.Open, ag.Capacity)
			}
			total += ag.Open
		}
		// 24 tickets for 6 places: every place is taken, none twice.
		if total != 2*capacity {
			t.Errorf("%d tickets assigned, want %d", total, 2*capacity)
		}
	})

	t.Run("one idempotency key, one row", func(t *testing.T) {
		title := "两个副本收到同一个幂等键"
		body := map[string]any{"title": title, "body": "重复提交"}
		hdr := map[string]string{"Idempotency-Key": "replicas-same-key"}
		ids := make([]string, 2)
		codes := make([]int, 2)
		var wg sync.WaitGroup
		for i, r := range []*replica{a, b} {
			wg.Go(func() {
				// A request that meets its twin in flight is told to retry;
				// the client does, as any client of the API should.
				for range 50 {
					code, out := r.call("POST", "/v1/tickets", body, hdr)
					codes[i] = code
					if code == 201 || code == 200 {
						var tk struct{ ID string }
						_ = json.Unmarshal(out, &tk)
						ids[i] = tk.ID
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		if ids[0] == "" || ids[0] != ids[1] {
			t.Errorf("the two replicas answered %v with tickets %q and %q, want one ticket", codes, ids[0], ids[1])
		}
		var list struct{ Items []struct{ Title string } }
		a.must(t, 200, "GET", "/v1/tickets?limit=100", nil, nil, &list)
		n := 0
		for _, it := range list.Items {
			if it.Title == title {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d tickets titled %q, want 1", n, title)
		}
	})
}
