package wechat

import (
	"testing"
	"time"
)

func TestWindowState(t *testing.T) {
	last := unix("2026-12-08T10:00:00Z")
	for _, tc := range []struct {
		name      string
		w         Window
		last      time.Time
		sent      int
		now       time.Time
		can       bool
		remaining int
		until     time.Time
		reason    string
	}{
		{"just written", Window{}, last, 0, last, true, 5, last.Add(48 * time.Hour), ""},
		{"four sent", Window{}, last, 4, last.Add(time.Hour), true, 1, last.Add(48 * time.Hour), ""},
		{"five sent", Window{}, last, 5, last.Add(time.Hour), false, 0, last.Add(48 * time.Hour), ReasonReplyLimit},
		{"more than five counted", Window{}, last, 9, last.Add(time.Hour), false, 0, last.Add(48 * time.Hour), ReasonReplyLimit},
		{"a second before 48 h", Window{}, last, 0, last.Add(48*time.Hour - time.Second), true, 5, last.Add(48 * time.Hour), ""},
		{"at 48 h", Window{}, last, 0, last.Add(48 * time.Hour), false, 0, last.Add(48 * time.Hour), ReasonWindowClosed},
		{"past 48 h and five sent", Window{}, last, 5, last.Add(50 * time.Hour), false, 0, last.Add(48 * time.Hour), ReasonWindowClosed},
		{"margin closes early", Window{Margin: 10 * time.Minute}, last, 0, last.Add(48*time.Hour - 5*time.Minute), false, 0, last.Add(48*time.Hour - 10*time.Minute), ReasonWindowClosed},
		{"never wrote", Window{}, time.Time{}, 0, last, false, 0, time.Time{}, ReasonNoCustomerMessage},
		{"custom rule", Window{Limit: 1, Span: time.Hour}, last, 0, last.Add(30 * time.Minute), true, 1, last.Add(time.Hour), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.w.State(tc.last, tc.sent, tc.now)
			if s.CanSend != tc.can || s.Remaining != tc.remaining || !s.Until.Equal(tc.until) || s.Reason != tc.reason {
				t.Fatalf("State = %+v, want can=%v remaining=%d until=%v reason=%q", s, tc.can, tc.remaining, tc.until, tc.reason)
			}
		})
	}
}
