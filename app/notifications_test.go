package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
)

// TestNotifications: on both stores, the notification centre fills from
// the events: the assignee is told of a ticket routed to them and of the
// customer's message, a colleague of an @mention in an internal note, and
// the team lead (the policy's notify_lead) and the assignee of an SLA
// warning; marking read empties the unread count.
func TestNotifications(t *testing.T) {
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			r := start(t, st.config(t))
			agentTok := func(name string, online bool) (string, string) {
				var a triage.Agent
				decodeJSON(t, r.call("POST", "/v1/agents", fmt.Sprintf(`{"name":%q,"skills":["直播测试"],"online":%v,"capacity":5}`, name, online)), 201, &a)
				var tok struct {
					Secret string `json:"secret"`
				}
				decodeJSON(t, r.call("POST", "/v1/tokens", fmt.Sprintf(`{"name":%q,"role":"agent","agent_id":%q}`, name, a.ID)), 201, &tok)
				return a.ID, "Authorization: Bearer " + tok.Secret
			}
			leadID, leadAuth := agentTok("周婷", false)
			workerID, workerAuth := agentTok("吴刚", true)
			decodeJSON(t, r.call("POST", "/v1/teams", fmt.Sprintf(`{"name":"直播客服组","members":[%q,%q],"lead_id":%q,"categories":["直播测试"]}`, leadID, workerID, leadID)), 201, nil)
			var cal struct{ ID string }
			decodeJSON(t, r.call("POST", "/v1/calendars", `{"name":"全天","time_zone":"Asia/Shanghai","hours":[{"days":["mon","tue","wed","thu","fri","sat","sun"],"start":"00:00","end":"24:00"}]}`), 201, &cal)
			decodeJSON(t, r.call("POST", "/v1/sla/policies", fmt.Sprintf(`{"name":"直播 SLA","priority":"P3","category":"直播测试","calendar_id":%q,"first_response":"4s","warn_percent":50,"escalations":[{"on":"warning","action":"notify_lead"}]}`, cal.ID)), 201, nil)

			var tk triage.Ticket
			decodeJSON(t, r.call("POST", "/v1/tickets", `{"title":"直播间下单没发货","body":"三天了","category":"直播测试","priority":"P3"}`), 201, &tk)
			if tk.AssigneeID != workerID {
				t.Fatalf("routed to %q, want 吴刚", tk.AssigneeID)
			}
			decodeJSON(t, r.call("POST", "/v1/tickets/"+tk.ID+"/comments", `{"body":"还没收到","from_requester":true}`), 201, nil)
			decodeJSON(t, r.call("POST", "/v1/tickets/"+tk.ID+"/comments", `{"body":"@周婷 请帮忙看一下仓库","public":false}`, workerAuth), 201, nil)

			kinds := func(auth string) (map[triage.NotificationKind]int, api.NotificationList) {
				var l api.NotificationList
				decodeJSON(t, r.call("GET", "/v1/notifications", "", auth), 200, &l)
				m := map[triage.NotificationKind]int{}
				for _, n := range l.Items {
					if n.TicketID == tk.ID && n.TicketTitle == tk.Title {
						m[n.Kind]++
					}
				}
				return m, l
			}
			want := func(auth, who string, k triage.NotificationKind) api.NotificationList {
				t.Helper()
				deadline := time.Now().Add(20 * time.Second)
				for {
					m, l := kinds(auth)
					if m[k] == 1 {
						return l
					}
					if m[k] > 1 || time.Now().After(deadline) {
						t.Fatalf("%s has %d %s notifications: %+v", who, m[k], k, l.Items)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
			want(workerAuth, "吴刚", triage.NotifyAssigned)
			want(workerAuth, "吴刚", triage.NotifyCustomerReplied)
			want(leadAuth, "周婷", triage.NotifyMention)
			// The warning comes at half of the 4 s target.
			l := want(leadAuth, "周婷", triage.NotifySLAWarning)
			want(workerAuth, "吴刚", triage.NotifySLAWarning)
			if l.Unread != 2 {
				t.Errorf("周婷 has %d unread, want 2 (the mention and the warning)", l.Unread)
			}
			var res api.ReadResult
			decodeJSON(t, r.call("POST", "/v1/notifications/read", `{"all":true}`, leadAuth), 200, &res)
			if res.Read != 2 {
				t.Errorf("marked %d read, want 2", res.Read)
			}
			if _, l := kinds(leadAuth); l.Unread != 0 {
				t.Errorf("after reading all, %d unread", l.Unread)
			}
			if w := r.call("POST", "/v1/notifications/read", `{}`, leadAuth); w.Code != 400 {
				t.Errorf("marking nothing read: %d %s", w.Code, w.Body)
			}
		})
	}
}
