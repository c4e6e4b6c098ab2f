package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

// sseEvent is one server-sent event as a client reads it.
type sseEvent struct {
	id, event string
	data      api.LiveEvent
}

// openStream connects to /v1/events and returns its events as they come.
func openStream(t *testing.T, ctx context.Context, url, lastID string) <-chan sseEvent {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url+"/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAdmin)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET /v1/events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 64)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.event != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(line[6:]), &ev.data)
			}
		}
	}()
	return out
}

// waitTicket reads events until one about ticket id comes.
func waitTicket(t *testing.T, events <-chan sseEvent, id string) sseEvent {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended before an event about %s", id)
			}
			if ev.event == "ticket" && ev.data.Ticket != nil && ev.data.Ticket.ID == id {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event about %s within 15 s", id)
		}
	}
}

// TestLiveEvents: on both stores, GET /v1/events pushes a new ticket and
// a change to it as they commit, and a client that reconnects with
// Last-Event-ID gets what it missed, in order.
func TestLiveEvents(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			r := start(t, st.config(t))
			srv := httptest.NewServer(r.Server.Handler())
			t.Cleanup(srv.Close)
			ctx, cancel := context.WithCancel(context.Background())
			events := openStream(t, ctx, srv.URL, "")

			var tk triage.Ticket
			decodeJSON(t, r.call("POST", "/v1/tickets", `{"title":"退款没到账","body":"三天了"}`), 201, &tk)
			ev := waitTicket(t, events, tk.ID)
			if ev.data.Kind != "ticket" || ev.id == "" || ev.data.Ticket.Title != "退款没到账" {
				t.Fatalf("event %+v", ev)
			}
			decodeJSON(t, r.call("PATCH", "/v1/tickets/"+tk.ID, `{"priority":"P1"}`, "If-Match: *"), 200, nil)
			ev2 := waitTicket(t, events, tk.ID)
			if ev2.data.Ticket.Priority != triage.P1 || ev2.data.Seq <= ev.data.Seq {
				t.Fatalf("the change came as %+v after seq %d", ev2.data, ev.data.Seq)
			}
			cancel() // the client goes away

			// While it is away another ticket is created; reconnecting
			// with the first event's id replays the change and the new one.
			var other triage.Ticket
			decodeJSON(t, r.call("POST", "/v1/tickets", `{"title":"发票","body":"开票"}`), 201, &other)
			ctx2, cancel2 := context.WithCancel(context.Background())
			defer cancel2()
			resumed := openStream(t, ctx2, srv.URL, ev.id)
			again := waitTicket(t, resumed, tk.ID)
			if again.id != ev2.id {
				t.Errorf("resumed with the change at id %s, want %s", again.id, ev2.id)
			}
			waitTicket(t, resumed, other.ID)

			if w := r.call("GET", "/v1/events", "", "Last-Event-ID: abc"); w.Code != 400 || !strings.Contains(w.Body.String(), "Last-Event-ID") {
				t.Errorf("a bad Last-Event-ID: %d %s", w.Code, w.Body)
			}
		})
	}
}

// TestTicketViewers: on both stores, each of two agents on a ticket is
// shown the other, and who is writing a reply; one who leaves is gone.
func TestTicketViewers(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			r := start(t, st.config(t))
			token := func(name string) (string, string) {
				var a triage.Agent
				decodeJSON(t, r.call("POST", "/v1/agents", `{"name":"`+name+`"}`), 201, &a)
				var tok struct {
					Secret string `json:"secret"`
				}
				decodeJSON(t, r.call("POST", "/v1/tokens", `{"name":"`+name+`","role":"agent","agent_id":"`+a.ID+`"}`), 201, &tok)
				return a.ID, "Authorization: Bearer " + tok.Secret
			}
			aID, aAuth := token("王芳")
			_, bAuth := token("刘洋")
			var tk triage.Ticket
			decodeJSON(t, r.call("POST", "/v1/tickets", `{"title":"退款","body":"没到账"}`), 201, &tk)
			path := "/v1/tickets/" + tk.ID + "/viewers/me"
			var seen api.List[triage.Viewer]
			decodeJSON(t, r.call("PUT", path, `{"typing":true}`, aAuth), 200, &seen)
			if len(seen.Items) != 0 {
				t.Fatalf("the first viewer sees %+v", seen.Items)
			}
			decodeJSON(t, r.call("PUT", path, `{}`, bAuth), 200, &seen)
			if len(seen.Items) != 1 || seen.Items[0].AgentID != aID || !seen.Items[0].Typing {
				t.Fatalf("the second viewer sees %+v, want 王芳 typing", seen.Items)
			}
			decodeJSON(t, r.call("PUT", path, `{"leaving":true}`, aAuth), 200, nil)
			decodeJSON(t, r.call("PUT", path, `{}`, bAuth), 200, &seen)
			if len(seen.Items) != 0 {
				t.Fatalf("after 王芳 left: %+v", seen.Items)
			}
			if w := r.call("PUT", "/v1/tickets/nope/viewers/me", `{}`, bAuth); w.Code != 404 {
				t.Errorf("an unknown ticket: %d", w.Code)
			}
		})
	}
}
