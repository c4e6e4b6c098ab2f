package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIPresence: an agent chooses 离开 in the top bar; through the API
// the agent is away and a new ticket of their skill waits instead of
// going to them; choosing 自动 again brings them back, and the waiting
// ticket is theirs.
func TestUIPresence(t *testing.T) {
	u := startUI(t)
	skill := fmt.Sprintf("在线状态测试%d", time.Now().UnixNano()%100000)
	var a struct{ ID string }
	if err := u.send("POST", "/v1/agents", map[string]any{"name": "蒋丽", "skills": []string{skill}, "online": true, "capacity": 5}, &a); err != nil {
		t.Fatal(err)
	}
	var tok struct{ Secret string }
	if err := u.send("POST", "/v1/tokens", map[string]any{"name": "蒋丽", "role": "agent", "agent_id": a.ID}, &tok); err != nil {
		t.Fatal(err)
	}
	type agentState struct {
		Presence         string     `json:"presence"`
		PresenceOverride string     `json:"presence_override"`
		LastSeenAt       *time.Time `json:"last_seen_at"`
	}
	ctx := u.tab(t, 1366, 768)
	u.signInToken(t, ctx, tok.Secret)
	step(t, ctx, "the top bar shows the agent online",
		chromedp.WaitVisible(chromedp.CSS(`#presence-state[data-presence="online"]`)))
	if dir := os.Getenv("TRIAGE_UI_SHOTS"); dir != "" {
		u.screenshot(t, ctx, dir, "presence-1366x768.png")
	}
	step(t, ctx, "choose away",
		chromedp.SetValue(chromedp.ID("presence-select"), "away"),
		chromedp.WaitVisible(chromedp.CSS(`#presence-state[data-presence="away"]`)))
	var st agentState
	if err := u.send("POST", "/v1/presence/heartbeat", nil, &st, "Authorization: Bearer "+tok.Secret); err != nil {
		t.Fatal(err)
	}
	if st.Presence != "away" || st.PresenceOverride != "away" || st.LastSeenAt == nil {
		t.Fatalf("through the API the agent is %+v, want away by choice", st)
	}
	var tk struct{ ID, AssigneeID string }
	if err := u.send("POST", "/v1/tickets", map[string]any{"title": "离开时来的工单", "body": "请尽快处理", "category": skill}, &tk); err != nil {
		t.Fatal(err)
	}
	if tk.AssigneeID == a.ID {
		t.Fatal("a ticket went to an agent who chose away")
	}
	step(t, ctx, "back to automatic",
		chromedp.SetValue(chromedp.ID("presence-select"), ""),
		chromedp.WaitVisible(chromedp.CSS(`#presence-state[data-presence="online"]`)))
	var got struct {
		AssigneeID string `json:"assignee_id"`
	}
	if err := u.api("GET", "/v1/tickets/"+tk.ID, &got); err != nil {
		t.Fatal(err)
	}
	if got.AssigneeID != a.ID {
		t.Errorf("the waiting ticket's assignee is %q after the agent came back, want %s", got.AssigneeID, a.ID)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
