package main

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TestServeExportsTraces starts `triage serve` with only
// OTEL_EXPORTER_OTLP_ENDPOINT set, pointing at a fake OTLP/HTTP collector,
// creates a ticket whose text holds a phone number and searches for it,
// stops the service, and
// finds the request's span (named by its route) among those the collector
// received, with neither the phone number nor the ticket's text anywhere
// in what was sent.
func TestServeExportsTraces(t *testing.T) {
	var mu sync.Mutex
	var names []string
	var raw [][]byte
	var searchTrace string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(b, &req) != nil {
			http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		raw = append(raw, b)
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names = append(names, s.Name)
					if s.Name == "GET /v1/search" {
						searchTrace = hex.EncodeToString(s.TraceId)
					}
				}
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		resp, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Write(resp)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_SERVICE_NAME", "triage-test")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "info"}, &out, &logs)
	}()
	url := waitFor(t, &out, "url")
	token := strings.Fields(out.String()[strings.Index(out.String(), "trg_"):])[0]
	req, _ := http.NewRequest("POST", url+"/v1/tickets", strings.NewReader(`{"title":"手机13912345678收不到验证码","body":"我的手机号13912345678一直收不到短信验证码"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	search, _ := http.NewRequest("GET", url+"/v1/search?kind=ticket&q=13912345678", nil)
	search.Header.Set("Authorization", "Bearer "+token)
	// The caller's trace goes on in the service.
	search.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if resp, err = http.DefaultClient.Do(search); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, logs.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(logs.String(), "tracing is on") {
		t.Errorf("the log does not say tracing is on:\n%s", logs.String())
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("the collector received %d exports, spans %v", len(raw), names)
	for _, want := range []string{"POST /v1/tickets", "triage", "store.tx", "GET /v1/search", "search.lexical"} {
		if !slices.Contains(names, want) {
			t.Errorf("no span named %s among %v", want, names)
		}
	}
	if searchTrace != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("the search span is in trace %q, not the caller's", searchTrace)
	}
	for _, b := range raw {
		for _, bad := range []string{"13912345678", "验证码", "q="} {
			if strings.Contains(string(b), bad) {
				t.Errorf("an export to the collector holds %q", bad)
			}
		}
		if !strings.Contains(string(b), "triage-test") {
			t.Error("an export does not carry OTEL_SERVICE_NAME")
		}
	}
}
