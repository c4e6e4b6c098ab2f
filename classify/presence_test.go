package classify

import (
	"testing"
	"time"

	"github.com/triagehq/triage"
)

// TestChoosePresence: routing gives new tickets only to agents who are
// online now: not to one who chose away or offline, nor to one whose last
// activity is older than triage.AwayAfter; an agent never seen (working
// through an integration) follows the admin's online switch as before.
func TestChoosePresence(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	seen := func(ago time.Duration) *time.Time { x := now.Add(-ago); return &x }
	r := &Router{Now: func() time.Time { return now }}
	for _, c := range []struct {
		name  string
		agent *triage.Agent
		want  bool
	}{
		{"never seen, online switch on", &triage.Agent{}, true},
		{"active a minute ago", &triage.Agent{LastSeenAt: seen(time.Minute)}, true},
		{"idle past AwayAfter", &triage.Agent{LastSeenAt: seen(triage.AwayAfter)}, false},
		{"idle past OfflineAfter", &triage.Agent{LastSeenAt: seen(triage.OfflineAfter + time.Minute)}, false},
		{"chose away while active", &triage.Agent{LastSeenAt: seen(0), PresenceOverride: triage.PresenceAway}, false},
		{"chose offline", &triage.Agent{PresenceOverride: triage.PresenceOffline}, false},
		{"chose online while idle", &triage.Agent{LastSeenAt: seen(time.Hour), PresenceOverride: triage.PresenceOnline}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.agent
			a.ID, a.Name, a.Skills, a.Capacity, a.Online = "a", "a", []string{"支付与退款"}, 5, true
			got := r.Choose("支付与退款", []*triage.Agent{a}, loads(nil), nil)
			if (got.Agent != nil) != c.want {
				t.Errorf("assigned = %v, want %v (presence %s)", got.Agent != nil, c.want, a.PresenceAt(now))
			}
			if !c.want && (len(got.Candidates) != 1 || got.Candidates[0].Online || got.Candidates[0].Reason.Code != triage.ReasonRouteOffline) {
				t.Errorf("candidates = %+v, want one not online with the offline reason", got.Candidates)
			}
		})
	}
}
