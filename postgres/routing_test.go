package postgres_test

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/postgres"
	"github.com/triagehq/triage/postgres/pgtest"
)

// TestRoutingSnapshot: the one-batch snapshot reads what LockRouting,
// Agents, AgentLoads and Teams read one by one, and holds the routing
// lock until the transaction ends.
func TestRoutingSnapshot(t *testing.T) {
	ctx := t.Context()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Now()
	if err := db.Update(ctx, func(tx triage.Tx) error {
		for _, a := range []*triage.Agent{{ID: "a1", Name: "甲", CreatedAt: now, UpdatedAt: now}, {ID: "a2", Name: "乙", CreatedAt: now, UpdatedAt: now}} {
			if err := tx.CreateAgent(ctx, a); err != nil {
				return err
			}
		}
		if err := tx.CreateTeam(ctx, &triage.Team{ID: "tm", Name: "售后", Members: []string{"a1"}, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		for i, p := range []triage.Priority{triage.P1, triage.P2, triage.P2} {
			tk := &triage.Ticket{ID: "t" + string(rune('0'+i)), Title: "退款", Body: "没到账", Status: triage.StatusOpen, Priority: p,
				AssigneeID: "a1", CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx triage.Tx) error {
		s, ok := tx.(triage.RoutingSnapshotter)
		if !ok {
			t.Fatal("the PostgreSQL Tx has no RoutingSnapshot")
		}
		agents, loads, teams, err := s.RoutingSnapshot(ctx)
		if err != nil {
			return err
		}
		var held bool
		if err := db.Pool().QueryRow(ctx, `SELECT NOT pg_try_advisory_xact_lock($1)`, postgres.RoutingLock).Scan(&held); err != nil {
			return err
		}
		if !held {
			t.Error("the routing lock is free while the snapshot's transaction is open")
		}
		wantAgents, err := tx.Agents(ctx)
		if err != nil {
			return err
		}
		wantLoads, err := tx.AgentLoads(ctx)
		if err != nil {
			return err
		}
		wantTeams, err := tx.Teams(ctx)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(agents, wantAgents) || !reflect.DeepEqual(teams, wantTeams) {
			t.Errorf("snapshot agents %+v teams %+v, want %+v %+v", agents, teams, wantAgents, wantTeams)
		}
		if !maps.EqualFunc(loads, wantLoads, func(a, b triage.AgentLoad) bool { return reflect.DeepEqual(a, b) }) || loads["a1"].Open != 3 {
			t.Errorf("snapshot loads %+v, want %+v", loads, wantLoads)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
