package app

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// demoJSON is the demo data set: a fictional shop, 极光商城, written for this
// project. It is not evaluation data and shares no text with it.
//
//go:embed demodata/demo.json
var demoJSON []byte

type demoData struct {
	Categories []string          `json:"categories"`
	Teams      []demoTeam        `json:"teams"`
	Agents     []demoAgent       `json:"agents"`
	Dictionary []triage.DictWord `json:"dictionary"`
	Rules      []json.RawMessage `json:"rules"`
	Articles   []json.RawMessage `json:"articles"`
	Tickets    []demoTicket      `json:"tickets"`
}

type demoTeam struct {
	Key        string   `json:"key"`
	Name       string   `json:"name"`
	Categories []string `json:"categories"`
	Lead       string   `json:"lead"`
}

type demoAgent struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Skills   []string `json:"skills"`
	Capacity int      `json:"capacity"`
	Online   bool     `json:"online"`
	Teams    []string `json:"teams"`
}

type demoTicket struct {
	Title        string           `json:"title"`
	Body         string           `json:"body"`
	Requester    triage.Requester `json:"requester"`
	Channel      triage.Channel   `json:"channel"`
	Tags         []string         `json:"tags"`
	DaysAgo      int              `json:"days_ago"`
	Conversation []struct {
		From   string `json:"from"`
		Agent  string `json:"agent"`
		Public bool   `json:"public"`
		Body   string `json:"body"`
	} `json:"conversation"`
	Final struct {
		Status   triage.Status   `json:"status"`
		Category string          `json:"category"`
		Priority triage.Priority `json:"priority"`
		Agent    string          `json:"agent"`
	} `json:"final"`
}

// LoadDemo fills an empty store with the demo data set, replaying each
// ticket's life through the service at the times it would have happened, so
// that history, first-response times and triage records are what real use
// would have produced.
func (a *App) LoadDemo(ctx context.Context) error {
	if tickets, _, err := a.Store.Tickets(ctx, triage.TicketFilter{Limit: 1}); err != nil || len(tickets) > 0 {
		return err
	}
	if agents, err := a.Store.Agents(ctx); err != nil || len(agents) > 0 {
		return err
	}
	var d demoData
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		return err
	}
	ctx = triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "demo", Name: "demo loader", Role: triage.RoleAdmin})
	if _, err := a.Desk.PutDictWords(ctx, d.Dictionary, nil); err != nil {
		return fmt.Errorf("dictionary: %w", err)
	}
	for _, raw := range d.Rules {
		var r triage.NewRule
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("rule: %w", err)
		}
		if _, err := a.Desk.CreateRule(ctx, r, nil); err != nil {
			return fmt.Errorf("rule %s: %w", r.Name, err)
		}
	}
	ids := map[string]string{}
	for _, da := range d.Agents {
		capacity := da.Capacity
		ag, err := a.Desk.CreateAgent(ctx, triage.NewAgent{Name: da.Name, Email: da.Email, Skills: da.Skills, Capacity: &capacity, Online: da.Online}, nil)
		if err != nil {
			return fmt.Errorf("agent %s: %w", da.Key, err)
		}
		ids[da.Key] = ag.ID
	}
	for _, t := range d.Teams {
		var members []string
		for _, da := range d.Agents {
			if slices.Contains(da.Teams, t.Key) {
				members = append(members, ids[da.Key])
			}
		}
		if _, err := a.Desk.CreateTeam(ctx, triage.NewTeam{Name: t.Name, Members: members, LeadID: ids[t.Lead], Categories: t.Categories}, nil); err != nil {
			return fmt.Errorf("team %s: %w", t.Key, err)
		}
	}
	// The resolved history first, oldest first so the history reads in
	// order; then the classifier learns from it, as it would after weeks
	// of use; then the open tickets arrive and are triaged by that model.
	tickets := slices.Clone(d.Tickets)
	slices.SortStableFunc(tickets, func(a, b demoTicket) int { return b.DaysAgo - a.DaysAgo })
	resolved := func(t demoTicket) bool {
		return t.Final.Status == triage.StatusSolved || t.Final.Status == triage.StatusClosed
	}
	now := time.Now().UTC()
	for pass := range 2 {
		for i, t := range tickets {
			if resolved(t) != (pass == 0) {
				continue
			}
			// Spread arrivals over the hours of the day they came in.
			clock := now.AddDate(0, 0, -t.DaysAgo).Add(-time.Duration(i%9) * 47 * time.Minute)
			if err := a.replayTicket(ctx, t, ids, &clock); err != nil {
				return fmt.Errorf("ticket %q: %w", t.Title, err)
			}
		}
		if pass == 0 {
			for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
				rec, _, err := a.Trainer.Train(ctx, kind, nil, nil, nil)
				if err != nil {
					return fmt.Errorf("training the %s model on the demo history: %w", kind, err)
				}
				if err := a.Triager.UseModel(rec); err != nil {
					return err
				}
			}
		}
	}
	if err := a.loadDemoArticles(ctx, d.Articles); err != nil {
		return err
	}
	a.Log.Info("demo data loaded", "agents", len(d.Agents), "teams", len(d.Teams), "tickets", len(tickets), "rules", len(d.Rules), "words", len(d.Dictionary), "articles", len(d.Articles))
	return nil
}

type demoArticle struct {
	triage.NewArticle
	Key    string               `json:"key"`
	Status triage.ArticleStatus `json:"status"`
}

// loadDemoArticles writes the demo KB through the review workflow: each
// article is drafted, then moved to its status as an editor would.
func (a *App) loadDemoArticles(ctx context.Context, raw []json.RawMessage) error {
	for _, r := range raw {
		var da demoArticle
		if err := json.Unmarshal(r, &da); err != nil {
			return fmt.Errorf("article: %w", err)
		}
		created, err := a.KB.CreateArticle(ctx, da.NewArticle, nil)
		if err != nil {
			return fmt.Errorf("article %s: %w", da.Key, err)
		}
		if da.Status == "" || da.Status == triage.ArticleDraft {
			continue
		}
		// Moving the demo's articles to their status is the loader's
		// own work, not a person's: with review required nobody would
		// otherwise publish what the loader wrote.
		own := triage.NewContextWithPrincipal(ctx, nil)
		if _, err := a.KB.UpdateArticle(own, created.ID, created.Version, triage.ArticleUpdate{Status: triage.Some(da.Status)}); err != nil {
			return fmt.Errorf("article %s: %w", da.Key, err)
		}
	}
	return nil
}

func (a *App) replayTicket(ctx context.Context, t demoTicket, ids map[string]string, clock *time.Time) error {
	svc := *a.Desk
	svc.Now = func() time.Time { return *clock }
	step := func() { *clock = clock.Add(23 * time.Minute) }
	tk, err := svc.CreateTicket(ctx, triage.NewTicket{Title: t.Title, Body: t.Body, Requester: t.Requester, Channel: t.Channel, Tags: t.Tags}, nil)
	if err != nil {
		return err
	}
	as := func(agentKey string) context.Context {
		return triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "demo", Name: "demo loader", Role: triage.RoleAgent, AgentID: ids[agentKey]})
	}
	final := t.Final
	if final.Status != triage.StatusNew {
		step()
		agentCtx := as(final.Agent)
		cur, err := svc.Ticket(ctx, tk.ID)
		if err != nil {
			return err
		}
		u := triage.TicketUpdate{Category: triage.Some(final.Category), Priority: triage.Some(final.Priority)}
		if final.Agent != "" {
			u.AssigneeID = triage.Some(ids[final.Agent])
		}
		if _, err := svc.UpdateTicket(agentCtx, tk.ID, cur.Version, u); err != nil {
			return err
		}
	}
	for _, c := range t.Conversation {
		step()
		cctx, in := ctx, triage.NewComment{Body: c.Body, Public: c.Public}
		if c.From == "agent" {
			cctx = as(c.Agent)
		} else {
			in.FromRequester = true
		}
		if _, err := svc.AddComment(cctx, tk.ID, in, nil); err != nil {
			return err
		}
	}
	var path []triage.Status
	switch final.Status {
	case triage.StatusOpen:
		path = []triage.Status{triage.StatusOpen}
	case triage.StatusPending:
		path = []triage.Status{triage.StatusOpen, triage.StatusPending}
	case triage.StatusSolved:
		path = []triage.Status{triage.StatusSolved}
	case triage.StatusClosed:
		path = []triage.Status{triage.StatusSolved, triage.StatusClosed}
	}
	for _, st := range path {
		step()
		cur, err := svc.Ticket(ctx, tk.ID)
		if err != nil {
			return err
		}
		if cur.Status == st {
			continue
		}
		if _, err := svc.UpdateTicket(as(final.Agent), tk.ID, cur.Version, triage.TicketUpdate{Status: triage.Some(st)}); err != nil {
			return err
		}
	}
	return nil
}
