package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
)

// TestInactiveAgentGetsNoWayIn, on both stores: once an agent's account is
// deactivated, no token of theirs authenticates, including one made
// afterwards; making one through the API is refused with 409 naming
// agent_id, and a token row that exists anyway (written before tokens were
// checked, restored from a backup) is refused at sign-in; the person
// cannot sign in nor use an old session. Before, POST /v1/tokens gave a
// deactivated agent a new token that worked.
func TestInactiveAgentGetsNoWayIn(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.config(t)
			r := start(t, cfg)
			const password = "极光商城-客服-2026"
			w := r.call("POST", "/v1/agents", `{"name":"赵磊","email":"zhaolei@example.com"}`)
			if w.Code != http.StatusCreated {
				t.Fatalf("agent: %d %s", w.Code, w.Body)
			}
			var ag triage.Agent
			json.Unmarshal(w.Body.Bytes(), &ag)
			if w := r.call("PATCH", "/v1/agents/"+ag.ID+"/account", `{"role":"agent","password":"`+password+`"}`, "If-Match: *"); w.Code != http.StatusOK {
				t.Fatalf("account: %d %s", w.Code, w.Body)
			}
			w = r.call("POST", "/v1/auth/login", `{"email":"zhaolei@example.com","password":"`+password+`"}`, "Authorization: ")
			if w.Code != http.StatusOK {
				t.Fatalf("sign in: %d %s", w.Code, w.Body)
			}
			var cookies []string
			for _, c := range w.Result().Cookies() {
				cookies = append(cookies, c.Name+"="+c.Value)
			}
			session := "Cookie: " + strings.Join(cookies, "; ")

			if w := r.call("PATCH", "/v1/agents/"+ag.ID+"/account", `{"active":false}`, "If-Match: *"); w.Code != http.StatusOK {
				t.Fatalf("deactivate: %d %s", w.Code, w.Body)
			}
			// Through the API: refused, naming the field, and nothing made.
			before := tokenCount(t, r)
			w = r.call("POST", "/v1/tokens", `{"name":"赵磊的脚本","role":"agent","agent_id":"`+ag.ID+`"}`)
			var body struct{ Error struct{ Code, Field string } }
			json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != http.StatusConflict || body.Error.Field != "agent_id" {
				t.Errorf("a token for a deactivated agent: %d %s, want 409 naming agent_id", w.Code, w.Body)
			}
			if n := tokenCount(t, r); n != before {
				t.Errorf("the refused request left %d tokens behind", n-before)
			}
			// A token row of the deactivated agent that exists anyway.
			secret := desk.NewSecret()
			err := r.Store.Update(context.Background(), func(tx triage.Tx) error {
				return tx.CreateToken(context.Background(), &triage.Token{ID: triage.NewID(), Name: "restored", Role: triage.RoleAgent, AgentID: ag.ID,
					Prefix: secret[:12], Hash: desk.HashToken(secret), CreatedAt: time.Now()})
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ name, header string }{
				{"token made after deactivation", "Authorization: Bearer " + secret},
				{"session opened before", session},
			} {
				auth := "Authorization: "
				if strings.HasPrefix(c.header, "Authorization") {
					auth = c.header
				}
				if w := r.call("GET", "/v1/me", "", auth, c.header); w.Code != http.StatusUnauthorized {
					t.Errorf("%s: %d %s, want 401", c.name, w.Code, w.Body)
				}
			}
			if w := r.call("POST", "/v1/auth/login", `{"email":"zhaolei@example.com","password":"`+password+`"}`, "Authorization: "); w.Code != http.StatusForbidden {
				t.Errorf("sign in after deactivation: %d %s", w.Code, w.Body)
			}
			// Reactivated, the person may be given a token again.
			if w := r.call("PATCH", "/v1/agents/"+ag.ID+"/account", `{"active":true}`, "If-Match: *"); w.Code != http.StatusOK {
				t.Fatalf("reactivate: %d %s", w.Code, w.Body)
			}
			if w := r.call("POST", "/v1/tokens", `{"name":"赵磊的脚本","role":"agent","agent_id":"`+ag.ID+`"}`); w.Code != http.StatusCreated {
				t.Errorf("a token after reactivation: %d %s", w.Code, w.Body)
			}
		})
	}
}

func tokenCount(t *testing.T, r *running) int {
	t.Helper()
	w := r.call("GET", "/v1/tokens", "")
	var page struct{ Items []json.RawMessage }
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || w.Code != http.StatusOK {
		t.Fatalf("tokens: %d %s", w.Code, w.Body)
	}
	return len(page.Items)
}
