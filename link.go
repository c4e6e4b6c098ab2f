package triage

import "time"

// Link kinds as stored: From is a probable duplicate of To, or From was
// merged into To.
const (
	LinkDuplicate = "duplicate"
	LinkMerged    = "merged"
)

// TicketLink relates two tickets. Stored once, it reads from either side:
// see LinkView.
type TicketLink struct {
	FromID string `json:"from_id"`
	ToID   string `json:"to_id"`
	Kind   string `json:"kind"`
	// Score is how similar the texts are (0 to 1), for duplicates.
	Score float64 `json:"score"`
	// Why explains the link: for a duplicate, the shared words and the
	// score; for a merge, the note of the person who merged.
	Why       Reasons   `json:"why,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
}

// Relations as seen from one ticket.
const (
	RelDuplicateOf  = "duplicate_of"  // this ticket is probably a duplicate of the other
	RelHasDuplicate = "has_duplicate" // the other ticket is probably a duplicate of this one
	RelMergedInto   = "merged_into"   // this ticket was merged into the other
	RelMergedFrom   = "merged_from"   // the other ticket was merged into this one
)

// LinkView is a link as one of its tickets sees it.
type LinkView struct {
	Relation string `json:"relation"`
	TicketID string `json:"ticket_id"` // the other ticket
	Title    string `json:"title"`
	Status   Status `json:"status"`
	*TicketLink
}

// View returns l as ticket id sees it.
func (l *TicketLink) View(id string) LinkView {
	v := LinkView{TicketLink: l}
	switch {
	case l.Kind == LinkDuplicate && l.FromID == id:
		v.Relation, v.TicketID = RelDuplicateOf, l.ToID
	case l.Kind == LinkDuplicate:
		v.Relation, v.TicketID = RelHasDuplicate, l.FromID
	case l.FromID == id:
		v.Relation, v.TicketID = RelMergedInto, l.ToID
	default:
		v.Relation, v.TicketID = RelMergedFrom, l.FromID
	}
	return v
}

// Merge is a request to merge a ticket into another.
type Merge struct {
	// Into is the ticket that survives.
	Into string `json:"into"`
	// IntoVersion, when set, is the survivor's version the agent read
	// (its ETag): the merge is refused if it has changed since. The
	// merged ticket's version is the request's If-Match.
	IntoVersion int `json:"into_version"`
	// Note is recorded in both tickets' history.
	Note string `json:"note"`
}

// MergeResult is both tickets after a merge.
type MergeResult struct {
	Merged   *Ticket `json:"merged"`
	Survivor *Ticket `json:"survivor"`
	// Moved counts the comments that moved to the survivor.
	Moved int `json:"moved_comments"`
}
