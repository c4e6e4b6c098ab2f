package classify

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/triagehq/triage"
)

// Router picks the agent who should own a ticket. An agent is eligible when
// the ticket's category is among its skills, it is online and it holds
// fewer active tickets than its capacity. Among eligible agents the least
// loaded wins, load being active tickets weighted by priority; equal loads
// go to the agent whose last assignment is oldest (round robin). When
// nobody is eligible the ticket waits in its team's queue and is assigned
// when capacity frees, most urgent and then oldest first.
type Router struct {
	// Weights of an active ticket by priority when comparing loads; nil
	// uses DefaultWeights.
	Weights map[triage.Priority]float64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultWeights count an urgent ticket as three normal ones: it takes
// more attention and must not pile up on one person.
func DefaultWeights() map[triage.Priority]float64 {
	return map[triage.Priority]float64{triage.P1: 3, triage.P2: 2, triage.P3: 1, triage.P4: 0.5}
}

func (r *Router) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (r *Router) weight(p triage.Priority) float64 {
	w := r.Weights
	if w == nil {
		w = DefaultWeights()
	}
	if v, ok := w[p]; ok {
		return v
	}
	return 1
}

// load is an agent's weighted load.
func (r *Router) load(l triage.AgentLoad) float64 {
	var sum float64
	for p, n := range l.ByPriority {
		sum += r.weight(p) * float64(n)
	}
	return sum
}

// Choice is routing's decision for one ticket.
type Choice struct {
	Agent *triage.Agent // nil: nobody eligible
	// TeamID is the ticket's team: the one it arrived with (its mailbox's,
	// or set by hand), else the team that owns the category, else, when
	// an agent was chosen, the chosen agent's team. A ticket nobody can
	// take waits in this team's queue.
	TeamID string
	// TeamWhy says how TeamID was found; empty when TeamID is.
	TeamWhy    triage.Reason
	Candidates []triage.AgentOption
}

// Choose ranks the agents for a ticket of the given category. It is pure:
// routing inside a transaction and the triage preview share it.
func (r *Router) Choose(category string, agents []*triage.Agent, loads map[string]triage.AgentLoad, teams []*triage.Team) Choice {
	return r.ChooseIn("", category, agents, loads, teams)
}

// ChooseIn is Choose for a ticket that already has a team (teamID, empty
// when it has none). The ticket's team is found first, and its members
// come before everyone else: among eligible agents the team's own win, and
// only when none of them is free does a skilled agent of another team take
// the ticket (skills are the routing contract; a customer must not wait
// for a team that is all offline while somebody skilled is free).
func (r *Router) ChooseIn(teamID, category string, agents []*triage.Agent, loads map[string]triage.AgentLoad, teams []*triage.Team) Choice {
	var c Choice
	c.TeamID = teamID
	if c.TeamID != "" {
		c.TeamWhy = triage.NewReason(triage.ReasonRouteTeamGiven, teamName(teams, c.TeamID))
	} else {
		c.TeamID, c.TeamWhy = queueFor(category, agents, teams)
	}
	var members []string
	for _, t := range teams {
		if t.ID == c.TeamID {
			members = t.Members
		}
	}
	type ranked struct {
		a      *triage.Agent
		load   float64
		member bool
	}
	var eligible []ranked
	for _, a := range agents {
		l := loads[a.ID]
		opt := triage.AgentOption{AgentID: a.ID, Name: a.Name, Open: l.Open, Capacity: a.Capacity, Load: r.load(l), Online: a.Available(r.now())}
		switch {
		case category == "" || !slices.Contains(a.Skills, category):
			continue // not a candidate at all; listing every agent would bury the reasons
		case !a.Available(r.now()):
			// Away or offline (the agent's choice, or no activity): no new
			// tickets until they are back.
			opt.Reason = triage.NewReason(triage.ReasonRouteOffline)
		case l.Open >= a.Capacity:
			opt.Reason = triage.NewReason(triage.ReasonRouteAtCapacity, l.Open, a.Capacity)
		default:
			opt.Eligible = true
			eligible = append(eligible, ranked{a, opt.Load, slices.Contains(members, a.ID)})
		}
		c.Candidates = append(c.Candidates, opt)
	}
	slices.SortStableFunc(eligible, func(x, y ranked) int {
		if x.member != y.member {
			if x.member {
				return -1
			}
			return 1
		}
		if n := cmp.Compare(x.load, y.load); n != 0 {
			return n
		}
		if n := compareLastAssigned(x.a.LastAssignedAt, y.a.LastAssignedAt); n != 0 {
			return n
		}
		return cmp.Compare(x.a.ID, y.a.ID)
	})
	if len(eligible) > 0 {
		c.Agent = eligible[0].a
		for i := range c.Candidates {
			o := &c.Candidates[i]
			switch {
			case o.AgentID == c.Agent.ID:
				o.Reason = triage.NewReason(triage.ReasonRouteChosen, o.Load)
				if len(eligible) > 1 && eligible[1].load == eligible[0].load && eligible[1].member == eligible[0].member {
					o.Reason = triage.NewReason(triage.ReasonRouteChosenTie, o.Load)
				}
			case o.Eligible:
				o.Reason = triage.NewReason(triage.ReasonRouteEligible, o.Load)
			}
		}
	}
	slices.SortStableFunc(c.Candidates, func(x, y triage.AgentOption) int {
		if x.Eligible != y.Eligible {
			if x.Eligible {
				return -1
			}
			return 1
		}
		return cmp.Compare(x.Load, y.Load)
	})
	if c.TeamID == "" && c.Agent != nil {
		if id := teamOf(c.Agent.ID, teams); id != "" {
			c.TeamID, c.TeamWhy = id, triage.NewReason(triage.ReasonRouteTeamOfAgent, teamName(teams, id))
		}
	}
	return c
}

// teamOf is the first team, in name order, that agentID is a member of.
func teamOf(agentID string, teams []*triage.Team) string {
	sorted := slices.Clone(teams)
	slices.SortFunc(sorted, func(a, b *triage.Team) int { return cmp.Compare(a.Name, b.Name) })
	for _, t := range sorted {
		if slices.Contains(t.Members, agentID) {
			return t.ID
		}
	}
	return ""
}

// compareLastAssigned orders never-assigned agents first, then the longest
// idle.
func compareLastAssigned(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

// queueFor picks the team whose queue a ticket of this category waits in:
// a team that names the category, else a team with a member who has the
// skill, and says which. Teams are taken in name order so the choice is
// stable.
func queueFor(category string, agents []*triage.Agent, teams []*triage.Team) (string, triage.Reason) {
	if category == "" {
		return "", triage.Reason{}
	}
	sorted := slices.Clone(teams)
	slices.SortFunc(sorted, func(a, b *triage.Team) int { return cmp.Compare(a.Name, b.Name) })
	for _, t := range sorted {
		if slices.Contains(t.Categories, category) {
			return t.ID, triage.NewReason(triage.ReasonRouteTeamOwns, t.Name, category)
		}
	}
	skilled := map[string]bool{}
	for _, a := range agents {
		if slices.Contains(a.Skills, category) {
			skilled[a.ID] = true
		}
	}
	for _, t := range sorted {
		for _, m := range t.Members {
			if skilled[m] {
				return t.ID, triage.NewReason(triage.ReasonRouteTeamSkilled, t.Name, category)
			}
		}
	}
	return "", triage.Reason{}
}

// snapshot reads what routing needs inside the transaction, after taking
// the routing lock so concurrent transactions see each other's
// assignments.
func (r *Router) snapshot(ctx context.Context, tx triage.Tx) ([]*triage.Agent, map[string]triage.AgentLoad, []*triage.Team, error) {
	if s, ok := tx.(triage.RoutingSnapshotter); ok {
		return s.RoutingSnapshot(ctx)
	}
	if err := tx.LockRouting(ctx); err != nil {
		return nil, nil, nil, err
	}
	agents, err := tx.Agents(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	loads, err := tx.AgentLoads(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	teams, err := tx.Teams(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return agents, loads, teams, nil
}

// Assign routes t (not yet stored, or stored and about to be updated by the
// caller) and returns the decision. It sets t.AssigneeID or t.TeamID and
// records the assignment time for round robin.
func (r *Router) Assign(ctx context.Context, tx triage.Tx, t *triage.Ticket) (triage.Decision, []triage.AgentOption, error) {
	d, opts, _, err := r.assign(ctx, tx, t)
	return d, opts, err
}

// assign is Assign that also says how the ticket's team was found.
func (r *Router) assign(ctx context.Context, tx triage.Tx, t *triage.Ticket) (triage.Decision, []triage.AgentOption, triage.Reason, error) {
	agents, loads, teams, err := r.snapshot(ctx, tx)
	if err != nil {
		return triage.Decision{}, nil, triage.Reason{}, err
	}
	c := r.ChooseIn(t.TeamID, t.Category, agents, loads, teams)
	d, opts := r.apply(ctx, tx, t, c, teams)
	return d, opts, c.TeamWhy, nil
}

func (r *Router) apply(ctx context.Context, tx triage.Tx, t *triage.Ticket, c Choice, teams []*triage.Team) (triage.Decision, []triage.AgentOption) {
	// Routing always gives the ticket its team, assigned or not, so that
	// team views, reports by team and the lead's SLA notices find it.
	if t.TeamID == "" {
		t.TeamID = c.TeamID
	}
	if c.Agent != nil {
		t.AssigneeID = c.Agent.ID
		now := r.now()
		c.Agent.LastAssignedAt = &now
		// Round robin state is best effort; a failure here must not lose
		// the ticket, and the next assignment corrects it.
		_ = tx.MarkAssigned(ctx, c.Agent.ID, now)
		code := triage.ReasonRouteAssigned
		load := 0.0
		for _, o := range c.Candidates {
			if o.AgentID == c.Agent.ID {
				load = o.Load
				if o.Reason.Code == triage.ReasonRouteChosenTie {
					code = triage.ReasonRouteAssignedTie
				}
			}
		}
		return triage.Decision{
			Value: c.Agent.ID, Source: "routing", Confidence: 1,
			Why: triage.Reasons{triage.NewReason(code, c.Agent.Name, load, countEligible(c), t.Category)},
		}, c.Candidates
	}
	var why triage.Reasons
	switch {
	case t.Category == "":
		why = append(why, triage.NewReason(triage.ReasonRouteNoCategory))
	case len(c.Candidates) == 0:
		why = append(why, triage.NewReason(triage.ReasonRouteNoSkill, t.Category))
	default:
		why = append(why, triage.NewReason(triage.ReasonRouteAllBusy, len(c.Candidates), t.Category))
	}
	if t.TeamID != "" {
		why = append(why, triage.NewReason(triage.ReasonRouteTeamQueue, teamName(teams, t.TeamID)))
	}
	return triage.Decision{Value: "", Source: "queue", Why: why}, c.Candidates
}

func countEligible(c Choice) int {
	n := 0
	for _, o := range c.Candidates {
		if o.Eligible {
			n++
		}
	}
	return n
}

func teamName(teams []*triage.Team, id string) string {
	for _, t := range teams {
		if t.ID == id {
			return t.Name
		}
	}
	return id
}

// Drain assigns waiting tickets to agents with free capacity, most urgent
// and then oldest first. It runs in the transaction that freed capacity
// (a ticket solved, an agent online), so the queue moves the moment it can.
func (r *Router) Drain(ctx context.Context, tx triage.Tx) ([]*triage.HistoryEntry, error) {
	agents, loads, teams, err := r.snapshot(ctx, tx)
	if err != nil {
		return nil, err
	}
	// Only categories somebody can take now: a queue full of tickets
	// nobody is free for must not hide the ones someone is.
	var open []string
	for _, a := range agents {
		if a.Available(r.now()) && loads[a.ID].Open < a.Capacity {
			for _, s := range a.Skills {
				if !slices.Contains(open, s) {
					open = append(open, s)
				}
			}
		}
	}
	if len(open) == 0 {
		return nil, nil
	}
	waiting, err := tx.WaitingTickets(ctx, open, 200)
	if err != nil {
		return nil, err
	}
	var hist []*triage.HistoryEntry
	for _, t := range waiting {
		c := r.ChooseIn(t.TeamID, t.Category, agents, loads, teams)
		if c.Agent == nil {
			continue
		}
		d, _ := r.apply(ctx, tx, t, c, teams)
		t.UpdatedAt = r.now()
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return nil, err
		}
		l := loads[c.Agent.ID]
		l.Open++
		if l.ByPriority == nil {
			l.ByPriority = map[triage.Priority]int{}
		}
		l.ByPriority[t.Priority]++
		loads[c.Agent.ID] = l
		hist = append(hist, &triage.HistoryEntry{TicketID: t.ID, Actor: "system:routing", At: r.now(), Field: "assignee_id", Old: "", New: c.Agent.ID,
			Why: append(triage.Reasons{triage.NewReason(triage.ReasonRouteFromQueue)}, d.Why...)})
	}
	return hist, nil
}

// Reroute finds a new owner for a ticket whose assignee is away: a
// reopened ticket whose agent is offline goes back through routing rather
// than waiting for someone who is not there. An online assignee keeps it.
func (r *Router) Reroute(ctx context.Context, tx triage.Tx, t *triage.Ticket) ([]*triage.HistoryEntry, error) {
	if t.AssigneeID != "" {
		a, err := tx.Agent(ctx, t.AssigneeID)
		if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return nil, err
		}
		if a != nil && a.Available(r.now()) {
			return nil, nil
		}
	}
	old := t.AssigneeID
	t.AssigneeID = ""
	d, _, err := r.Assign(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	if t.AssigneeID == old {
		return nil, nil
	}
	return []*triage.HistoryEntry{{TicketID: t.ID, Actor: "system:routing", At: r.now(), Field: "assignee_id", Old: old, New: t.AssigneeID,
		Why: append(triage.Reasons{triage.NewReason(triage.ReasonRouteRerouted)}, d.Why...)}}, nil
}
