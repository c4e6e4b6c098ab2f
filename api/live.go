package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
)

// The live inbox: GET /v1/events streams server-sent events of the
// changes a signed-in person may see, so the inbox and an open ticket
// update without reloading. The stream follows the store's ordered change
// log (the same log every replica's index follows), so it behaves the same
// on every replica and across them, and each event's id is the log's
// sequence number: a client that reconnects with Last-Event-ID (as an
// EventSource does by itself) gets every change it missed, in order.

// LiveEvent is the data of one server-sent event.
type LiveEvent struct {
	// Kind names the event, as its "event:" line does: "ticket".
	Kind string `json:"kind"`
	// Seq is the change-log position, as its "id:" line.
	Seq int64 `json:"seq"`
	// Op is what happened: create, update or delete.
	Op string `json:"op"`
	// Ticket is the ticket as it is now, for a ticket event.
	Ticket *triage.Ticket `json:"ticket,omitempty"`
	// Notification is a new entry of the caller's own notification
	// centre, for a notification event; Unread is then how many it has
	// unread.
	Notification *triage.Notification `json:"notification,omitempty"`
	Unread       int                  `json:"unread,omitempty"`
}

// DefaultLivePoll is how often a stream looks for new changes.
const DefaultLivePoll = time.Second

// liveKeepAlive is how often a quiet stream sends a comment, so proxies
// and the browser keep it open.
const liveKeepAlive = 15 * time.Second

func (s *Server) liveRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/v1/events", Tag: "live", Summary: "Server-sent events (text/event-stream) of the ticket changes the caller may see, for a live inbox; each event's id is its change-log position, and Last-Event-ID (header or last_event_id) resumes after it", Roles: anyone(), Handler: s.liveEvents,
			Query: []Param{{"last_event_id", "integer", "resume after this event id (what the Last-Event-ID header says, for clients that cannot set it); without either the stream starts now"}}},
		{Method: "GET", Path: "/v1/notifications", Tag: "live", Summary: "The caller's notification centre, newest first, with the unread count: assigned to you, the customer replied, SLA warning and breach, @mention in an internal note", Roles: anyone(), Handler: s.listNotifications, Response: NotificationList{},
			Query: []Param{{"unread", "boolean", "only those not read yet"}}},
		{Method: "POST", Path: "/v1/notifications/read", Tag: "live", Summary: "Mark the caller's notifications read: those of ids, or every one with all", Roles: anyone(), Handler: s.readNotifications, Request: ReadNotifications{}, Response: ReadResult{}},
		{Method: "GET", Path: "/v1/notifications/prefs", Tag: "live", Summary: "The caller's notification choices: which kinds also come by e-mail (mail)", Roles: anyone(), Handler: s.getNotificationPrefs, Response: triage.NotificationPrefs{}},
		{Method: "PUT", Path: "/v1/notifications/prefs", Tag: "live", Summary: "Choose which kinds of notification also come by e-mail: mail lists them (assigned, customer_replied, sla_warning, sla_breached, mention; [] for none); sent when the server has --smtp-url", Roles: anyone(), Handler: s.putNotificationPrefs, Request: triage.NotificationPrefsChange{}, Response: triage.NotificationPrefs{}},
		{Method: "PUT", Path: "/v1/tickets/:id/viewers/me", Tag: "live", Summary: "Collision detection: say the caller has the ticket open (typing: writing a reply; leaving: closed it) and get the others who have it open now; send every few seconds, a viewer not heard from for 30 s is gone", Roles: anyone(), Handler: s.ticketViewers, Request: desk.ViewerBeat{}, Response: List[triage.Viewer]{}},
	}
}

func (s *Server) liveEvents(c echo.Context) error {
	ctx := c.Request().Context()
	p := triage.PrincipalFromContext(ctx)
	after, resume, err := lastEventID(c)
	if err != nil {
		return err
	}
	if !resume {
		if after, err = s.changeTail(ctx); err != nil {
			return err
		}
	}
	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx would hold the stream back
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// The server's read and write timeouts are for requests that end; a
	// stream stays open and sets its own write deadline per write.
	_ = rc.SetReadDeadline(time.Time{})
	write := func(b []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(liveKeepAlive * 2))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := write([]byte(": triage live events\nretry: 3000\n\n")); err != nil {
		return nil
	}
	poll := s.livePoll
	if poll <= 0 {
		poll = DefaultLivePoll
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	quiet := time.Now()
	for {
		batch, next, err := s.liveBatch(ctx, p, after)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// The stream has begun: say why it ends as an event; the
			// client reconnects from the last id it had.
			_ = write(fmt.Appendf(nil, "event: error\ndata: %s\n\n", strconv.Quote(triage.ErrorMessage(err))))
			return nil
		}
		after = next
		if len(batch) > 0 {
			if err := write(batch); err != nil {
				return nil
			}
			quiet = time.Now()
		} else if time.Since(quiet) >= liveKeepAlive {
			if err := write([]byte(": keep-alive\n\n")); err != nil {
				return nil
			}
			quiet = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case <-tick.C:
		}
	}
}

// lastEventID reads where a client resumes: Last-Event-ID, or the
// last_event_id parameter. resume is false when it gave neither.
func lastEventID(c echo.Context) (int64, bool, error) {
	v := strings.TrimSpace(c.Request().Header.Get("Last-Event-ID"))
	field := "Last-Event-ID"
	if v == "" {
		v, field = strings.TrimSpace(c.QueryParam("last_event_id")), "last_event_id"
	}
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false, triage.Invalid(field, "%s must be the id of an event this stream sent (a whole number of at least 0)", field)
	}
	return n, true, nil
}

// changeTail is the change log's last position: a new stream starts
// there.
func (s *Server) changeTail(ctx context.Context) (int64, error) {
	var after int64
	for {
		ch, err := s.desk.Store.Changes(ctx, after, 10000)
		if err != nil {
			return 0, err
		}
		if len(ch) > 0 {
			after = ch[len(ch)-1].Seq
		}
		if len(ch) < 10000 {
			return after, nil
		}
	}
}

// liveBatch renders the events after seq that p may see, and returns the
// position to continue from. A ticket changed several times in the batch
// is sent once, as it is now, at its last position, so ids stay in order.
func (s *Server) liveBatch(ctx context.Context, p *triage.Principal, after int64) ([]byte, int64, error) {
	changes, err := s.desk.Store.Changes(ctx, after, 500)
	if err != nil {
		return nil, after, err
	}
	if len(changes) == 0 {
		return nil, after, nil
	}
	next := changes[len(changes)-1].Seq
	last := map[string]int{}
	for i, ch := range changes {
		if ch.Entity == "ticket" {
			last[ch.ID] = i
		}
	}
	var out bytes.Buffer
	for i, ch := range changes {
		if ch.Entity == "notification" && ch.Op == "create" && p != nil && p.AgentID != "" {
			// A notification goes to its recipient's streams alone.
			n, err := s.desk.Store.Notification(ctx, ch.ID)
			if triage.IsCode(err, triage.ENOTFOUND) {
				continue
			} else if err != nil {
				return nil, after, err
			}
			if n.AgentID != p.AgentID {
				continue
			}
			_, unread, err := s.desk.Notifications(ctx, true)
			if err != nil {
				return nil, after, err
			}
			data, err := marshal(LiveEvent{Kind: "notification", Seq: ch.Seq, Op: ch.Op, Notification: n, Unread: unread})
			if err != nil {
				return nil, after, err
			}
			fmt.Fprintf(&out, "id: %d\nevent: notification\ndata: %s\n\n", ch.Seq, data)
			continue
		}
		if ch.Entity != "ticket" || last[ch.ID] != i || !s.mayRead(p, "GET", "/v1/tickets/:id") {
			continue
		}
		t, err := s.desk.Store.Ticket(ctx, ch.ID)
		if triage.IsCode(err, triage.ENOTFOUND) {
			continue
		} else if err != nil {
			return nil, after, err
		}
		data, err := marshal(LiveEvent{Kind: "ticket", Seq: ch.Seq, Op: ch.Op, Ticket: t})
		if err != nil {
			return nil, after, err
		}
		fmt.Fprintf(&out, "id: %d\nevent: ticket\ndata: %s\n\n", ch.Seq, data)
	}
	return out.Bytes(), next, nil
}

// mayRead reports whether p's role may call a route: the stream shows what
// the caller could read through the API, by the same table.
func (s *Server) mayRead(p *triage.Principal, method, path string) bool {
	if p == nil {
		return false
	}
	for _, r := range s.routes {
		if r.Method == method && r.Path == path {
			return slices.Contains(r.Roles, p.Role)
		}
	}
	return false
}

func (s *Server) ticketViewers(c echo.Context) error {
	var beat desk.ViewerBeat
	if err := s.decode(c, &beat); err != nil {
		return err
	}
	vs, err := s.desk.Viewing(c.Request().Context(), c.Param("id"), beat)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.Viewer]{Items: vs})
}

// NotificationList is the body of GET /v1/notifications.
type NotificationList struct {
	Items  []*triage.Notification `json:"items"`
	Unread int                    `json:"unread"`
}

// ReadNotifications is the body of POST /v1/notifications/read.
type ReadNotifications struct {
	IDs []string `json:"ids"`
	All bool     `json:"all"`
}

// ReadResult says how many notifications were marked read.
type ReadResult struct {
	Read int `json:"read"`
}

func (s *Server) listNotifications(c echo.Context) error {
	unread := false
	if v := c.QueryParam("unread"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return triage.Invalid("unread", "unread must be true or false")
		}
		unread = b
	}
	items, n, err := s.desk.Notifications(c.Request().Context(), unread)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, NotificationList{Items: items, Unread: n})
}

func (s *Server) readNotifications(c echo.Context) error {
	var in ReadNotifications
	if err := s.decode(c, &in); err != nil {
		return err
	}
	n, err := s.desk.ReadNotifications(c.Request().Context(), in.IDs, in.All)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, ReadResult{Read: n})
}

func (s *Server) getNotificationPrefs(c echo.Context) error {
	p, err := s.desk.NotificationPrefs(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, p)
}

func (s *Server) putNotificationPrefs(c echo.Context) error {
	var in triage.NotificationPrefsChange
	if err := s.decode(c, &in); err != nil {
		return err
	}
	p, err := s.desk.SetNotificationPrefs(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, p)
}
