package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/triagehq/triage"
)

const agentColumns = `
	id, name, email, skills, capacity, online, last_assigned_at, created_at, updated_at, version`

// agentSelect is what reads select: agentColumns and the presence
// columns, which only PresenceWriter writes.
const agentSelect = agentColumns + `, presence, last_seen_at`

// scanAgent reads one row selected with agentColumns.
func scanAgent(row interface{ Scan(...any) error }) (*triage.Agent, error) {
	var a triage.Agent
	err := row.Scan(&a.ID, &a.Name, &a.Email, jsonCol{&a.Skills}, &a.Capacity, &a.Online,
		nullTimeCol{&a.LastAssignedAt}, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &a.Version,
		&a.PresenceOverride, nullTimeCol{&a.LastSeenAt})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Agent returns one agent.
func (s queries) Agent(ctx context.Context, id string) (*triage.Agent, error) {
	row := s.q.QueryRowContext(ctx, `SELECT `+agentSelect+` FROM agents WHERE id = ?`, id)
	a, err := scanAgent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, triage.NotFound("agent", id)
	} else if err != nil {
		return nil, dbError("agent", err)
	}
	return a, nil
}

// Agents returns every agent by name.
func (s queries) Agents(ctx context.Context) ([]*triage.Agent, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+agentSelect+` FROM agents ORDER BY name, id`)
	if err != nil {
		return nil, dbError("agents", err)
	}
	defer rows.Close()
	out := []*triage.Agent{}
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, dbError("agents", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("agents", err)
	}
	return out, nil
}

// AgentLoads counts the active tickets of every assignee, by priority. Every
// agent has an entry, with zeros when it holds nothing, and so does an
// assignee that is no longer an agent but still holds tickets. ByPriority
// always has P1 to P4.
//
// The counts come from agent_loads, which triggers keep in step with every
// write to tickets (migration 00370): counting the active tickets here
// instead read the whole active-load index, on every create, under the
// single writer. One statement, so that the counts and the list of agents
// come from one snapshot.
func (s queries) AgentLoads(ctx context.Context) (map[string]triage.AgentLoad, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT assignee_id, priority, n FROM agent_loads WHERE n <> 0
		UNION ALL
		SELECT id, NULL, 0 FROM agents`)
	if err != nil {
		return nil, dbError("agent loads", err)
	}
	defer rows.Close()
	out := map[string]triage.AgentLoad{}
	for rows.Next() {
		var id string
		var p sql.NullString
		var n int
		if err := rows.Scan(&id, &p, &n); err != nil {
			return nil, dbError("agent loads", err)
		}
		l, ok := out[id]
		if !ok {
			l = triage.AgentLoad{AgentID: id, ByPriority: map[triage.Priority]int{}}
			for _, pr := range triage.Priorities() {
				l.ByPriority[pr] = 0
			}
		}
		if p.Valid {
			l.Open += n
			l.ByPriority[triage.Priority(p.String)] += n
		}
		out[id] = l
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("agent loads", err)
	}
	return out, nil
}

// CreateAgent inserts a at version 1.
func (tx *Tx) CreateAgent(ctx context.Context, a *triage.Agent) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	a.AsStored()
	skills, err := jsonText(a.Skills)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `
		INSERT INTO agents (`+agentColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		a.ID, a.Name, a.Email, skills, a.Capacity, a.Online,
		nullMicros(a.LastAssignedAt), micros(a.CreatedAt), micros(a.UpdatedAt))
	if err := agentWriteError(err, a); err != nil {
		return err
	}
	a.Version = 1
	return tx.logChange(ctx, "agent", a.ID, "create")
}

// UpdateAgent stores a if the stored version is still a.Version, and then
// increments a.Version. CreatedAt stays as created.
func (tx *Tx) UpdateAgent(ctx context.Context, a *triage.Agent) error {
	if err := triage.Required("id", a.ID); err != nil {
		return err
	}
	a.AsStored()
	skills, err := jsonText(a.Skills)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `
		UPDATE agents SET
			name = ?, email = ?, skills = ?, capacity = ?, online = ?,
			updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		a.Name, a.Email, skills, a.Capacity, a.Online,
		micros(a.UpdatedAt), a.ID, a.Version)
	if err := agentWriteError(err, a); err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("update agent", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "agents", "agent", a.ID, a.Version)
	}
	a.Version++
	// last_assigned_at belongs to routing (MarkAssigned); an admin's edit
	// leaves it alone, and the caller's copy gets the stored value back.
	if err := tx.tx.QueryRowContext(ctx, `SELECT last_assigned_at FROM agents WHERE id = ?`, a.ID).Scan(nullTimeCol{&a.LastAssignedAt}); err != nil {
		return dbError("update agent", err)
	}
	return tx.logChange(ctx, "agent", a.ID, "update")
}

// DeleteAgent removes an agent if it is still at version. Tickets keep the
// id as their assignee until someone reassigns them.
func (tx *Tx) DeleteAgent(ctx context.Context, id string, version int) error {
	if err := triage.Required("id", id); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM agents WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return dbError("delete agent", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("delete agent", err)
	} else if n == 0 {
		return tx.staleOrMissing(ctx, "agents", "agent", id, version)
	}
	return tx.logChange(ctx, "agent", id, "delete")
}

// MarkAssigned sets an agent's last_assigned_at, for round robin. It leaves
// version and updated_at alone: routing must not make an admin's If-Match
// stale. It still logs (agent, id, update), since the agent as read has
// changed.
func (tx *Tx) MarkAssigned(ctx context.Context, agentID string, at time.Time) error {
	if err := triage.Required("id", agentID); err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE agents SET last_assigned_at = ? WHERE id = ?`, micros(at), agentID)
	if err != nil {
		return dbError("mark assigned", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return dbError("mark assigned", err)
	} else if n == 0 {
		return triage.NotFound("agent", agentID)
	}
	return tx.logChange(ctx, "agent", agentID, "update")
}

// agentWriteError names the duplicate behind a constraint violation.
func agentWriteError(err error, a *triage.Agent) error {
	switch {
	case err == nil:
		return nil
	case sqliteCode(err) == codeConstraintPrimaryKey:
		return triage.Errorf(triage.ECONFLICT, "agent %s already exists", a.ID)
	case sqliteCode(err) == codeConstraintUnique:
		return &triage.Error{Code: triage.ECONFLICT, Field: "email",
			Message: "another agent already has the e-mail address " + a.Email}
	}
	return dbError("write agent", err)
}
