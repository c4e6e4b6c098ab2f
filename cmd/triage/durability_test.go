package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const testAdmin = "trg_durabilitytestadmintoken0000000000"

// built is the binary the tests that run it share: one build per test
// process (a build takes a minute on a busy machine), removed by TestMain.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildBinary compiles the real triage binary once per test run.
func buildBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "triage-test-bin"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "triage")
		cmd := exec.Command("go", "build", "-o", built.bin, ".")
		cmd.Stderr = os.Stderr
		built.err = cmd.Run()
	})
	if built.err != nil {
		t.Fatalf("go build: %v", built.err)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startServer runs the binary on dataDir and returns its base URL.
func startServer(t *testing.T, bin, dataDir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "TRIAGE_ADMIN_TOKEN="+testAdmin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return cmd, u
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	return nil, ""
}

func post(client *http.Client, url, key, body string) (int, string, error) {
	req, _ := http.NewRequest("POST", url+"/v1/tickets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdmin)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var t struct{ ID string }
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	_ = json.Unmarshal(b, &t)
	return resp.StatusCode, t.ID, nil
}

// TestKillMidLoad starts the real binary, sends 1,000 concurrent creates,
// kills the process with SIGKILL while they are in flight, restarts it on
// the same data and checks that every ticket that got a 201 is there
// exactly once. Then it retries every request that got no answer with its
// Idempotency-Key and checks that each ticket exists exactly once overall.
func TestKillMidLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	cmd, url := startServer(t, bin, data)

	const n = 1000
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}}
	ids := make([]string, n) // id returned with a 201
	var acked atomic.Int64
	var killed sync.Once
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, id, err := post(client, url, fmt.Sprintf("dur-%d", i), fmt.Sprintf(`{"title":"耐久测试 %04d","body":"kill -9 之后不能丢"}`, i))
			if err == nil && code == 201 {
				ids[i] = id
				if acked.Add(1) == n/3 {
					killed.Do(func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
				}
			} else if err == nil && code != 201 {
				t.Errorf("request %d: status %d", i, code)
			}
		}()
	}
	wg.Wait()
	_ = cmd.Wait()
	got := acked.Load()
	if got == 0 || got == n {
		t.Fatalf("%d of %d acknowledged: the kill did not land mid-load", got, n)
	}

	_, url = startServer(t, bin, data)
	titles := listTitles(t, client, url)
	for i, id := range ids {
		if id == "" {
			continue
		}
		title := fmt.Sprintf("耐久测试 %04d", i)
		if len(titles[title]) != 1 || titles[title][0] != id {
			t.Errorf("acknowledged ticket %q (id %s) found as %v", title, id, titles[title])
		}
	}
	for title, found := range titles {
		if len(found) > 1 {
			t.Errorf("%q stored %d times", title, len(found))
		}
	}
	t.Logf("%d of %d creates acknowledged before SIGKILL; all present exactly once after restart", got, n)

	// Retrying the unanswered requests with their keys completes the set.
	for i := range n {
		if ids[i] != "" {
			continue
		}
		code, _, err := post(client, url, fmt.Sprintf("dur-%d", i), fmt.Sprintf(`{"title":"耐久测试 %04d","body":"kill -9 之后不能丢"}`, i))
		if err != nil || code != 201 {
			t.Fatalf("retry %d: %d %v", i, code, err)
		}
	}
	titles = listTitles(t, client, url)
	if len(titles) != n {
		t.Errorf("%d distinct tickets after retries, want %d", len(titles), n)
	}
	for title, found := range titles {
		if len(found) != 1 {
			t.Errorf("%q stored %d times after retries", title, len(found))
		}
	}
}

func listTitles(t *testing.T, client *http.Client, url string) map[string][]string {
	t.Helper()
	titles := map[string][]string{}
	cursor := ""
	for {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", url+"/v1/tickets?limit=200&cursor="+cursor, nil)
		req.Header.Set("Authorization", "Bearer "+testAdmin)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items []struct {
				ID, Title string
			}
			NextCursor string `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			titles[it.Title] = append(titles[it.Title], it.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			return titles
		}
	}
}
