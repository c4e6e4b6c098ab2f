package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/triagehq/triage"
)

// RoutingSnapshot takes the routing lock and reads the agents, their
// loads and the teams (LockRouting, Agents, AgentLoads, Teams) in one
// batch: one round trip instead of four, while the lock that every
// create's routing waits for is held. The lock is the batch's first
// statement, so the reads after it see every routing decision committed
// before it.
func (tx *Tx) RoutingSnapshot(ctx context.Context) (agents []*triage.Agent, loads map[string]triage.AgentLoad, teams []*triage.Team, err error) {
	var b pgx.Batch
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, routingLock)
	b.Queue(`SELECT ` + agentSelect + ` FROM agents ORDER BY name, id`)
	b.Queue(agentLoadsQuery)
	b.Queue(`SELECT ` + teamColumns + ` FROM teams ORDER BY name, id`)
	br := tx.tx.SendBatch(ctx, &b)
	defer func() {
		if cerr := br.Close(); cerr != nil && err == nil {
			agents, loads, teams, err = nil, nil, nil, dbError("routing snapshot", cerr)
		}
	}()
	if _, err := br.Exec(); err != nil {
		return nil, nil, nil, dbError("lock routing", err)
	}
	rows, err := br.Query()
	if agents, err = collect(rows, err, "agents", scanAgents); err != nil {
		return nil, nil, nil, err
	}
	rows, err = br.Query()
	if loads, err = collectLoads(rows, err); err != nil {
		return nil, nil, nil, err
	}
	rows, err = br.Query()
	if teams, err = collect(rows, err, "teams", scanTeams); err != nil {
		return nil, nil, nil, err
	}
	return agents, loads, teams, nil
}
