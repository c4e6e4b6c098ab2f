package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

const agentColumns = `
	id, name, email, skills, capacity, online, last_assigned_at, created_at, updated_at, version`

// agentSelect is what reads select: agentColumns and the presence
// columns, which only PresenceWriter writes.
const agentSelect = agentColumns + `, presence, last_seen_at`

// scanAgent reads one row selected with agentColumns.
func scanAgent(row pgx.Row) (*triage.Agent, error) {
	var a triage.Agent
	err := row.Scan(&a.ID, &a.Name, &a.Email, &a.Skills, &a.Capacity, &a.Online,
		&a.LastAssignedAt, &a.CreatedAt, &a.UpdatedAt, &a.Version,
		&a.PresenceOverride, &a.LastSeenAt)
	if err != nil {
		return nil, err
	}
	if a.LastSeenAt != nil {
		u := a.LastSeenAt.UTC()
		a.LastSeenAt = &u
	}
	return &a, nil
}

func scanAgents(rows pgx.Rows) (*triage.Agent, error) { return scanAgent(rows) }

// Agent returns one agent.
func (s queries) Agent(ctx context.Context, id string) (*triage.Agent, error) {
	a, err := scanAgent(s.q.QueryRow(ctx, `SELECT `+agentSelect+` FROM agents WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, triage.NotFound("agent", id)
	} else if err != nil {
		return nil, dbError("agent", err)
	}
	return a, nil
}

// Agents returns every agent by name, then id.
func (s queries) Agents(ctx context.Context) ([]*triage.Agent, error) {
	rows, err := s.q.Query(ctx, `SELECT `+agentSelect+` FROM agents ORDER BY name, id`)
	return collect(rows, err, "agents", scanAgents)
}

// AgentLoads counts the active tickets of every assignee, by priority. Every
// agent has an entry, with zeros when it holds nothing, and so does an
// assignee that is no longer an agent but still holds tickets. ByPriority
// always has P1 to P4.
//
// One statement, so that the counts and the list of agents come from one
// snapshot.
func (s queries) AgentLoads(ctx context.Context) (map[string]triage.AgentLoad, error) {
	rows, err := s.q.Query(ctx, agentLoadsQuery)
	return collectLoads(rows, err)
}

// agentLoadsQuery is AgentLoads' statement. The status list is
// triage.Status.Active, spelt out as in the tickets_active_load index.
const agentLoadsQuery = `
	SELECT assignee_id, priority, COUNT(*)
	FROM tickets
	WHERE status IN ('new', 'open', 'pending') AND assignee_id <> ''
	GROUP BY assignee_id, priority
	UNION ALL
	SELECT id, NULL, 0 FROM agents`

// collectLoads reads the rows of agentLoadsQuery into AgentLoads' map.
func collectLoads(rows pgx.Rows, err error) (map[string]triage.AgentLoad, error) {
	type load struct {
		id string
		p  *string
		n  int
	}
	loads, err := collect(rows, err, "agent loads", func(r pgx.Rows) (load, error) {
		var l load
		err := r.Scan(&l.id, &l.p, &l.n)
		return l, err
	})
	if err != nil {
		return nil, err
	}
	out := map[string]triage.AgentLoad{}
	for _, row := range loads {
		l, ok := out[row.id]
		if !ok {
			l = triage.AgentLoad{AgentID: row.id, ByPriority: map[triage.Priority]int{}}
			for _, pr := range triage.Priorities() {
				l.ByPriority[pr] = 0
			}
		}
		if row.p != nil {
			l.Open += row.n
			l.ByPriority[triage.Priority(*row.p)] += row.n
		}
		out[row.id] = l
	}
	return out, nil
}

// CreateAgent inserts a at version 1.
func (tx *Tx) CreateAgent(ctx context.Context, a *triage.Agent) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	a.AsStored()
	skills, err := jsonb(a.Skills)
	if err != nil {
		return err
	}
	_, err = tx.tx.Exec(ctx, `
		INSERT INTO agents (`+agentColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)`,
		a.ID, a.Name, a.Email, skills, a.Capacity, a.Online, a.LastAssignedAt, a.CreatedAt, a.UpdatedAt)
	if err := agentWriteError(err, a); err != nil {
		return err
	}
	a.Version = 1
	return tx.logChange(ctx, "agent", a.ID, "create")
}

// UpdateAgent stores a if the stored version is still a.Version, and then
// increments a.Version. CreatedAt stays as created, and last_assigned_at
// belongs to routing (MarkAssigned): an admin's edit leaves it alone, and
// the caller's copy gets the stored value back.
func (tx *Tx) UpdateAgent(ctx context.Context, a *triage.Agent) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	a.AsStored()
	skills, err := jsonb(a.Skills)
	if err != nil {
		return err
	}
	var last *time.Time
	err = tx.tx.QueryRow(ctx, `
		UPDATE agents SET
			name = $1, email = $2, skills = $3, capacity = $4, online = $5,
			updated_at = $6, version = version + 1
		WHERE id = $7 AND version = $8
		RETURNING last_assigned_at`,
		a.Name, a.Email, skills, a.Capacity, a.Online, a.UpdatedAt, a.ID, a.Version).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) {
		return tx.staleOrMissing(ctx, "agents", "agent", a.ID, a.Version)
	}
	if err := agentWriteError(err, a); err != nil {
		return err
	}
	a.LastAssignedAt = last
	a.Version++
	return tx.logChange(ctx, "agent", a.ID, "update")
}

// DeleteAgent removes an agent if it is still at version. Tickets keep the
// id as their assignee until someone reassigns them.
func (tx *Tx) DeleteAgent(ctx context.Context, id string, version int) error {
	return tx.deleteVersioned(ctx, "agents", "agent", id, version)
}

// deleteVersioned removes the row id of table if it is still at version,
// and logs the deletion. table is always a constant of this package.
func (tx *Tx) deleteVersioned(ctx context.Context, table, kind, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	tag, err := tx.tx.Exec(ctx, `DELETE FROM `+table+` WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return dbError("delete "+kind, err)
	}
	if tag.RowsAffected() == 0 {
		return tx.staleOrMissing(ctx, table, kind, id, version)
	}
	return tx.logChange(ctx, kind, id, "delete")
}

// MarkAssigned sets an agent's last_assigned_at, for round robin. It leaves
// version and updated_at alone: routing must not make an admin's If-Match
// stale. It still logs (agent, id, update), since the agent as read has
// changed.
func (tx *Tx) MarkAssigned(ctx context.Context, agentID string, at time.Time) error {
	if err := triage.Required("id", agentID); err != nil {
		return err
	}
	tag, err := tx.tx.Exec(ctx, `UPDATE agents SET last_assigned_at = $1 WHERE id = $2`, triage.StoreTime(at), agentID)
	if err != nil {
		return dbError("mark assigned", err)
	}
	if tag.RowsAffected() == 0 {
		return triage.NotFound("agent", agentID)
	}
	return tx.logChange(ctx, "agent", agentID, "update")
}

// agentWriteError names the duplicate behind a unique violation, by the
// constraint that caught it.
func agentWriteError(err error, a *triage.Agent) error {
	switch {
	case err == nil:
		return nil
	case isDuplicate(err) && constraint(err) == "agents_email":
		return &triage.Error{Code: triage.ECONFLICT, Field: "email",
			Message: "another agent already has the e-mail address " + a.Email}
	case isDuplicate(err):
		return triage.Errorf(triage.ECONFLICT, "agent %s already exists", a.ID)
	}
	return dbError("write agent", err)
}
