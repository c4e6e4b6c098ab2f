package app

import (
	"bytes"
	"context"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/classify"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/importer"
)

// DefaultImportBatch is how many tickets an import writes per transaction:
// small enough that the embedded store's one writer is never held for more
// than a blink, so agents working on a live service do not wait behind an
// import.
const DefaultImportBatch = 50

// ImportOptions configures ImportTickets.
type ImportOptions struct {
	Format  importer.Format
	Mapping importer.Mapping
	// StartAt skips the records before it (ImportPosition.Record), to
	// resume a long import without reading its tickets again; records
	// already imported are recognised by their key anyway.
	StartAt int
	// Batch is how many tickets one transaction writes; 0 means
	// DefaultImportBatch.
	Batch int
	// Progress, when set, is called after each batch with the records
	// read so far.
	Progress func(records int)
	// Now stamps the import keys; nil means time.Now.
	Now func() time.Time
}

// ImportTickets reads an export and writes its tickets, comments and
// attachments in small transactions. Each ticket is keyed by its source and
// its id there, so running the same import again, or resuming one that
// stopped, makes each ticket once. Imported tickets are history: they fire
// no events (no webhooks, SLA clocks or retraining per ticket); the change
// log still carries them to the text index, and AfterImport trains and
// embeds. A read error (the file cannot be read on) ends the import with
// what was written so far committed and counted.
func (a *App) ImportTickets(ctx context.Context, r io.Reader, opt ImportOptions) (*triage.ImportSummary, error) {
	began := time.Now()
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	batch := opt.Batch
	if batch <= 0 {
		batch = DefaultImportBatch
	}
	sum := &triage.ImportSummary{Source: opt.Mapping.Source, Skipped: []triage.ImportSkip{}, Notes: map[triage.ImportReasonCode]int{}, NextRecord: opt.StartAt}
	if sum.Source == "" {
		sum.Source = defaultSource(opt.Format)
	}
	w := &importWriter{a: a, now: now, sum: sum}
	if err := w.loadPeople(ctx); err != nil {
		return nil, err
	}
	var pending []importer.Record
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := w.write(ctx, pending); err != nil {
			return err
		}
		sum.NextRecord = pending[len(pending)-1].Pos.Record + 1
		pending = pending[:0]
		if opt.Progress != nil {
			opt.Progress(sum.Records)
		}
		return nil
	}
	for rec, err := range importer.Read(ctx, r, opt.Format, importer.Options{Mapping: opt.Mapping, StartAt: opt.StartAt}) {
		if err != nil {
			if ferr := flush(); ferr != nil {
				return sum, ferr
			}
			sum.Seconds = time.Since(began).Seconds()
			return sum, err
		}
		sum.Records++
		if rec.Skip != nil {
			sum.Skipped = append(sum.Skipped, triage.ImportSkip{Record: rec.Pos.Record, Line: rec.Pos.Line, Reason: *rec.Skip})
			continue
		}
		sum.Source = rec.Ticket.Source
		pending = append(pending, rec)
		if len(pending) >= batch {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	sum.Seconds = time.Since(began).Seconds()
	return sum, nil
}

func defaultSource(f importer.Format) triage.ImportSource {
	switch f {
	case importer.FormatZendesk:
		return triage.SourceZendesk
	case importer.FormatZammad:
		return triage.SourceZammad
	case importer.FormatFreshdesk:
		return triage.SourceFreshdesk
	}
	return triage.SourceGeneric
}

// importWriter writes batches of imported tickets and keeps the agents and
// teams it matched by e-mail and name.
type importWriter struct {
	a      *App
	now    func() time.Time
	sum    *triage.ImportSummary
	agents map[string]string // lower-cased e-mail → agent id
	teams  map[string]string // name → team id
}

func (w *importWriter) loadPeople(ctx context.Context) error {
	agents, err := w.a.Store.Agents(ctx)
	if err != nil {
		return err
	}
	w.agents = map[string]string{}
	for _, ag := range agents {
		if ag.Email != "" {
			w.agents[strings.ToLower(ag.Email)] = ag.ID
		}
	}
	teams, err := w.a.Store.Teams(ctx)
	if err != nil {
		return err
	}
	w.teams = map[string]string{}
	for _, tm := range teams {
		w.teams[tm.Name] = tm.ID
	}
	return nil
}

// batchCounts is what one batch adds to the summary, applied only when its
// transaction commits.
type batchCounts struct {
	imported, already, comments, attachments, links int
	agents                                          map[string]string
	notes                                           map[triage.ImportReasonCode]int
}

// write stores one batch in one transaction. Another import of the same
// export running at once can take a key or an agent's address first: the
// batch then rolls back and is written again, finding those now there.
func (w *importWriter) write(ctx context.Context, recs []importer.Record) error {
	var err error
	for range 5 {
		if err = w.writeOnce(ctx, recs); !triage.IsCode(err, triage.ECONFLICT) {
			return err
		}
		if err := w.loadPeople(ctx); err != nil {
			return err
		}
	}
	return err
}

func (w *importWriter) writeOnce(ctx context.Context, recs []importer.Record) error {
	var c batchCounts
	err := w.a.Store.Update(ctx, func(tx triage.Tx) error {
		c = batchCounts{agents: map[string]string{}, notes: map[triage.ImportReasonCode]int{}}
		for _, rec := range recs {
			if err := w.ticket(ctx, tx, rec.Ticket, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.sum.Imported += c.imported
	w.sum.Already += c.already
	w.sum.Comments += c.comments
	w.sum.Attachments += c.attachments
	w.sum.AttachmentLinks += c.links
	w.sum.AgentsCreated += len(c.agents)
	maps.Copy(w.agents, c.agents)
	for k, n := range c.notes {
		w.sum.Notes[k] += n
	}
	return nil
}

// agent returns the id of the agent with email, creating an offline agent
// without skills when the store has none.
func (w *importWriter) agent(ctx context.Context, tx triage.Tx, email, name string, c *batchCounts) (string, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	if key == "" {
		return "", nil
	}
	if id, ok := w.agents[key]; ok {
		return id, nil
	}
	if id, ok := c.agents[key]; ok {
		return id, nil
	}
	if strings.TrimSpace(name) == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	ag := &triage.Agent{ID: triage.NewID(), Name: name, Email: email, Skills: []string{}, Capacity: 0, CreatedAt: w.now(), UpdatedAt: w.now()}
	if err := ag.Validate(); err != nil {
		// An agent triage cannot hold (a name too long) leaves the
		// ticket or comment without its author, not the ticket out.
		c.notes[triage.ImportUnknownAuthor]++
		return "", nil //nolint:nilerr // counted as a note
	}
	if err := tx.CreateAgent(ctx, ag); err != nil {
		return "", err
	}
	c.agents[key] = ag.ID
	return ag.ID, nil
}

func (w *importWriter) ticket(ctx context.Context, tx triage.Tx, it *triage.ImportedTicket, c *batchCounts) error {
	if _, err := tx.ImportedTicket(ctx, it.Key()); err == nil {
		c.already++
		return nil
	} else if !triage.IsCode(err, triage.ENOTFOUND) {
		return err
	}
	assignee, err := w.agent(ctx, tx, it.AssigneeEmail, it.AssigneeName, c)
	if err != nil {
		return err
	}
	t := &triage.Ticket{
		ID: triage.NewID(), Title: it.Title, Body: it.Body, Requester: it.Requester, Channel: it.Channel,
		Tags: it.Tags, Fields: it.Fields, Status: it.Status, Priority: it.Priority, Category: it.Category,
		AssigneeID: assignee, TeamID: w.teams[it.Group], CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
		SolvedAt: it.SolvedAt, ClosedAt: it.ClosedAt,
	}
	comments := it.Comments
	var first []triage.ImportedAttachment
	// Most exports repeat the customer's request as the first comment;
	// triage holds it as the ticket's body, so it is not told twice.
	if len(comments) > 0 && comments[0].Author != triage.AuthorAgent && strings.TrimSpace(comments[0].Body) == strings.TrimSpace(t.Body) {
		first = comments[0].Attachments
		comments = comments[1:]
	}
	for _, cm := range comments {
		if cm.Author == triage.AuthorAgent && cm.Public && t.FirstResponseAt == nil {
			at := cm.CreatedAt
			t.FirstResponseAt = &at
		}
	}
	if err := tx.CreateTicket(ctx, t); err != nil {
		return err
	}
	if err := w.attachments(ctx, tx, t.ID, "", first, t.CreatedAt, c); err != nil {
		return err
	}
	for _, ic := range comments {
		cm := &triage.Comment{ID: triage.NewID(), TicketID: t.ID, Body: ic.Body, Public: ic.Public, CreatedAt: ic.CreatedAt}
		switch ic.Author {
		case triage.AuthorRequester:
			cm.FromRequester = true
		case triage.AuthorAgent:
			if cm.AuthorID, err = w.agent(ctx, tx, ic.AuthorEmail, ic.AuthorName, c); err != nil {
				return err
			}
		default:
			// A helpdesk's own messages (triggers, automations) are
			// kept as internal notes: they are not the reply that
			// solved a ticket.
			cm.Public = false
		}
		if cm.Body == "" {
			cm.Body = "(" + attachmentNames(ic.Attachments) + ")"
		}
		if err := tx.AddComment(ctx, cm); err != nil {
			return err
		}
		c.comments++
		if err := w.attachments(ctx, tx, t.ID, cm.ID, ic.Attachments, ic.CreatedAt, c); err != nil {
			return err
		}
	}
	if err := tx.AddHistory(ctx, &triage.HistoryEntry{ID: triage.NewID(), TicketID: t.ID, Actor: "system", At: w.now().UTC(),
		Field: "imported", New: it.Key().String(), Why: triage.Reasons{triage.NewReason(triage.ReasonTicketImported, string(it.Source), it.ExternalID)}}); err != nil {
		return err
	}
	for _, n := range it.Notes {
		c.notes[n.Code]++
	}
	c.imported++
	return tx.SaveImportKey(ctx, it.Key(), t.ID, w.now())
}

// attachments stores the files an export holds inline and counts those it
// only links to.
func (w *importWriter) attachments(ctx context.Context, tx triage.Tx, ticketID, commentID string, atts []triage.ImportedAttachment, at time.Time, c *batchCounts) error {
	for _, f := range atts {
		if len(f.Content) == 0 || len(f.Content) > triage.MaxAttachmentBytes {
			c.links++
			continue
		}
		sum, err := tx.PutBlob(ctx, f.Content)
		if err != nil {
			return err
		}
		name := f.Name
		if name == "" {
			name = "attachment"
		}
		if r := []rune(name); len(r) > triage.MaxAttachmentNameRunes {
			name = string(r[:triage.MaxAttachmentNameRunes])
		}
		if err := tx.AddAttachment(ctx, &triage.Attachment{ID: triage.NewID(), TicketID: ticketID, CommentID: commentID, Name: name,
			ContentType: desk.SniffContentType(name, f.ContentType, f.Content), Size: int64(len(f.Content)), SHA256: sum,
			Inline: f.Inline, CreatedAt: at}); err != nil {
			return err
		}
		c.attachments++
	}
	return nil
}

func attachmentNames(atts []triage.ImportedAttachment) string {
	names := make([]string, 0, len(atts))
	for _, f := range atts {
		names = append(names, f.Name)
	}
	return strings.Join(slices.Compact(names), ", ")
}

// apiImport is POST /v1/imports: the import, then training queued as
// background jobs (the request does not wait for it). The backtest for
// `eval live` is the command line's: it trains a second model.
func (a *App) apiImport(ctx context.Context, in api.ImportRequest) (*api.ImportResult, error) {
	f := importer.Format(in.Format)
	if !slices.Contains(importer.Formats(), f) {
		return nil, triage.Invalid("format", "format %q is not zendesk, zammad, freshdesk, csv or jsonl", in.Format)
	}
	var m importer.Mapping
	if len(in.Mapping) > 0 {
		var err error
		if m, err = importer.LoadMapping(bytes.NewReader(in.Mapping)); err != nil {
			return nil, err
		}
	}
	sum, err := a.ImportTickets(ctx, strings.NewReader(in.Data), ImportOptions{Format: f, Mapping: m, StartAt: in.StartAt})
	if err != nil {
		return nil, err
	}
	res := &api.ImportResult{Summary: *sum, Queued: []string{}}
	if sum.Imported == 0 || (in.Train != nil && !*in.Train) {
		return res, nil
	}
	for _, kind := range []string{triage.ModelCategory, triage.ModelPriority, triage.ModelEmbedder} {
		j, err := classify.RetrainJob(kind, true, time.Time{})
		if err != nil {
			return nil, err
		}
		if err := a.Jobs.Insert(ctx, j); err != nil {
			return nil, err
		}
		res.Queued = append(res.Queued, "retrain."+kind)
	}
	return res, nil
}
