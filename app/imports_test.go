package app_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/eval"
	"github.com/triagehq/triage/importer"
	"github.com/triagehq/triage/importer/importertest"
)

// zendeskSample is a Zendesk incremental export of n made-up tickets and
// the mapping that takes their category from the 问题分类 field.
func zendeskSample(t testing.TB, n int) ([]byte, importer.Mapping) {
	t.Helper()
	var b bytes.Buffer
	if _, err := importertest.WriteZendesk(&b, importertest.Options{Tickets: n, Seed: 20, PageSize: 300}); err != nil {
		t.Fatal(err)
	}
	m, err := importer.LoadMapping(bytes.NewReader(importertest.Mapping()))
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), m
}

// The journey of issue 20: a Zendesk export of 1,000 tickets imports,
// trains the models, fills the similar-ticket index and gives `eval live`
// an accuracy at close; a new ticket then gets suggestions from the
// imported history; a second import adds nothing.
func TestImportZendeskHistory(t *testing.T) {
	data, mapping := zendeskSample(t, 1000)
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.config(t)
			cfg.Segmenter = sharedSegmenter(t)
			a := open(t, cfg)
			ctx := context.Background()

			sum, err := a.ImportTickets(ctx, bytes.NewReader(data), app.ImportOptions{Format: importer.FormatZendesk, Mapping: mapping})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Records != 1000 || sum.Imported+len(sum.Skipped) != 1000 || sum.Imported < 900 || sum.Already != 0 {
				t.Fatalf("first import: %d records, %d imported, %d already, %d skipped %+v", sum.Records, sum.Imported, sum.Already, len(sum.Skipped), sum.Skipped)
			}
			for _, s := range sum.Skipped {
				if s.Line == 0 || s.Reason.Code == "" {
					t.Errorf("a skip without its line or reason: %+v", s)
				}
			}
			if sum.Comments == 0 || sum.AgentsCreated == 0 {
				t.Errorf("first import: %d comments, %d agents created; want both", sum.Comments, sum.AgentsCreated)
			}
			// Agents made for unknown addresses wait for an admin: offline,
			// without skills, so routing gives them nothing.
			agents, err := a.Store.Agents(ctx)
			if err != nil || len(agents) != sum.AgentsCreated {
				t.Fatalf("%d agents (%v), %d created", len(agents), err, sum.AgentsCreated)
			}
			for _, ag := range agents {
				if ag.Online || len(ag.Skills) > 0 || ag.Email == "" {
					t.Errorf("imported agent %+v", ag)
				}
			}
			if n, err := a.Store.CountTickets(ctx, triage.TicketFilter{}); err != nil || n != sum.Imported {
				t.Fatalf("store holds %d tickets (%v), imported %d", n, err, sum.Imported)
			}

			// History fires nothing: no ticket event (webhooks, SLA
			// clocks, retraining) is queued by an import.
			queued, err := a.Jobs.Queued(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range queued {
				for _, k := range triage.TicketEvents() {
					if j.Kind == k.String() {
						t.Fatalf("the import queued %s", j.Kind)
					}
				}
			}

			after, err := a.AfterImport(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, kind := range []string{triage.ModelCategory, triage.ModelPriority} {
				if after.Models[kind] == nil {
					t.Fatalf("no %s model after the import: %v", kind, after.NotTrained)
				}
			}
			if after.Backtest == 0 {
				t.Fatal("no backtest")
			}
			if _, err := a.Indexer.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}

			// eval live reports an accuracy at close on the imported
			// tickets: the backtest's, on tickets its model never saw.
			live, err := eval.Live(ctx, a.Store, eval.LiveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var cat eval.LiveField
			for _, f := range live.Fields {
				if f.Field == "category" {
					cat = f
				}
			}
			if cat.Examples != after.Backtest || cat.Accuracy < 0.5 {
				t.Fatalf("live category: %d examples (backtest %d), accuracy %.3f", cat.Examples, after.Backtest, cat.Accuracy)
			}
			t.Logf("%s: imported %d tickets, %d comments in %.1fs; live category accuracy %.3f on %d held-out tickets",
				st.name, sum.Imported, sum.Comments, sum.Seconds, cat.Accuracy, cat.Examples)

			// A new ticket: triage uses the trained model and the
			// suggestions cite imported tickets with their resolutions.
			admin := triage.NewContextWithPrincipal(ctx, &triage.Principal{TokenID: "test", Role: triage.RoleAdmin})
			tk, err := a.Desk.CreateTicket(admin, triage.NewTicket{Title: "申请退款", Body: "我的订单已经取消了，退款什么时候到账？",
				Requester: triage.Requester{Name: "王女士", Email: "wang@example.com"}, Channel: triage.ChannelEmail}, nil)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := a.Store.TriageRecord(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c, _ := a.Triager.ModelVersions(); rec.ModelVersion == "" || c != after.Models[triage.ModelCategory].Version {
				t.Errorf("the new ticket was triaged by %q; the imported history's model is %q", rec.ModelVersion, c)
			}
			sg, err := a.Suggest.For(admin, tk.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(sg.Tickets) == 0 {
				t.Fatal("no similar tickets from the imported history")
			}
			withResolution := 0
			for _, s := range sg.Tickets {
				old, err := a.Store.Ticket(ctx, s.ID)
				if err != nil {
					t.Fatal(err)
				}
				if old.Status != triage.StatusClosed && old.Status != triage.StatusSolved {
					t.Errorf("similar ticket %s is %s", s.ID, old.Status)
				}
				if s.Resolution != "" {
					withResolution++
				}
			}
			if withResolution == 0 {
				t.Errorf("no similar ticket came with its resolution: %+v", sg.Tickets)
			}

			// The second import recognises every ticket.
			again, err := a.ImportTickets(ctx, bytes.NewReader(data), app.ImportOptions{Format: importer.FormatZendesk, Mapping: mapping})
			if err != nil {
				t.Fatal(err)
			}
			if again.Imported != 0 || again.Already != sum.Imported || again.AgentsCreated != 0 {
				t.Fatalf("second import: %d imported, %d already (want %d), %d agents created", again.Imported, again.Already, sum.Imported, again.AgentsCreated)
			}
			if n, err := a.Store.CountTickets(ctx, triage.TicketFilter{}); err != nil || n != sum.Imported+1 {
				t.Fatalf("after the second import the store holds %d tickets (%v), want %d", n, err, sum.Imported+1)
			}
			if n, err := a.Store.CountImported(ctx, triage.SourceZendesk); err != nil || n != sum.Imported {
				t.Fatalf("CountImported = %d, %v; want %d", n, err, sum.Imported)
			}
		})
	}
}

// Two imports of the same export at once make each ticket once: a batch
// that loses a key to the other rolls back and is written again.
func TestImportTwiceAtOnce(t *testing.T) {
	data, mapping := zendeskSample(t, 200)
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) {
			cfg := st.config(t)
			cfg.Segmenter = sharedSegmenter(t)
			a := open(t, cfg)
			ctx := context.Background()
			type result struct {
				sum *triage.ImportSummary
				err error
			}
			done := make(chan result, 2)
			for range 2 {
				go func() {
					sum, err := a.ImportTickets(ctx, bytes.NewReader(data), app.ImportOptions{Format: importer.FormatZendesk, Mapping: mapping, Batch: 10})
					done <- result{sum, err}
				}()
			}
			imported, already := 0, 0
			for range 2 {
				r := <-done
				if r.err != nil {
					t.Fatal(r.err)
				}
				imported += r.sum.Imported
				already += r.sum.Already
			}
			n, err := a.Store.CountTickets(ctx, triage.TicketFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if n != imported || imported+already != 400 || imported < 190 {
				t.Fatalf("%d tickets stored, %d imported, %d already", n, imported, already)
			}
		})
	}
}
