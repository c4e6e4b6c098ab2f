package sla

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// Surveys: one per ticket, sent when it is solved, answered once, valid
// for 28 days.
const (
	SurveyTTL = 28 * 24 * time.Hour
	// SurveyTokenPrefix starts every survey token, so a leaked link is
	// recognisable and never mistaken for an API token.
	SurveyTokenPrefix  = "csat_"
	MaxSurveyComment   = 2000
	surveyTokenEncoded = 52 // 32 random bytes in unpadded base32
)

// Survey states, as the customer sees them.
const (
	SurveyOpen     = "open"
	SurveyAnswered = "answered"
	SurveyExpired  = "expired"
	// SurveyNone is a ticket that has not been sent a survey.
	SurveyNone = "none"
)

// SurveyView is what the customer sees: no ids, no names, nothing about
// the ticket but its title.
type SurveyView struct {
	TicketTitle string     `json:"ticket_title"`
	Status      string     `json:"status"`
	Rating      int        `json:"rating"`
	Comment     string     `json:"comment"`
	ExpiresAt   time.Time  `json:"expires_at"`
	AnsweredAt  *time.Time `json:"answered_at"`
}

// SurveyStatus is a ticket's survey as staff see it: only Status when
// none was sent.
type SurveyStatus struct {
	*triage.Survey
	Status string `json:"status"`
	// Mail is the mail that carried the latest link to the customer, with
	// its delivery state (queued, sent, failed), or nil when the survey
	// was not mailed (no address, another channel).
	Mail *triage.MailMessage `json:"mail,omitempty"`
}

func surveyState(sv *triage.Survey, now time.Time) string {
	switch {
	case sv.AnsweredAt != nil:
		return SurveyAnswered
	case !now.Before(sv.ExpiresAt):
		return SurveyExpired
	}
	return SurveyOpen
}

// newSurveyToken returns a token of 256 random bits, far beyond what any
// rate of guessing could reach, and its stored hash.
func newSurveyToken() (token, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	token = SurveyTokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	return token, hashSurveyToken(token)
}

// hashSurveyToken is the stored form of a token. The token is random, so
// a plain SHA-256 leaves nothing to brute-force.
func hashSurveyToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormed rejects a token this service cannot have issued before it
// reaches the store.
func wellFormed(token string) bool {
	rest, ok := strings.CutPrefix(token, SurveyTokenPrefix)
	if !ok || len(rest) != surveyTokenEncoded {
		return false
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

var errUnknownSurvey = triage.Errorf(triage.ENOTFOUND, "this survey link is not valid; check that it was copied whole")

// issue creates the ticket's survey, or gives an unanswered one a new
// token and a new 28 days, in tx.
func issue(ctx context.Context, tx triage.Tx, t *triage.Ticket, sv *triage.Survey, now time.Time) (*triage.Survey, string, error) {
	token, hash := newSurveyToken()
	if sv == nil {
		sv = &triage.Survey{ID: triage.NewID(), TicketID: t.ID, CreatedAt: now}
	}
	sv.TokenHash, sv.ExpiresAt = hash, now.Add(SurveyTTL)
	sv.AgentID, sv.TeamID, sv.Category = t.AssigneeID, t.TeamID, t.Category
	var err error
	if sv.Version == 0 {
		err = tx.CreateSurvey(ctx, sv)
	} else {
		err = tx.UpdateSurvey(ctx, sv)
	}
	return sv, token, err
}

func ticketSurvey(ctx context.Context, r triage.Reader, ticketID string) (*triage.Survey, error) {
	sv, err := r.Survey(ctx, ticketID)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, nil
	}
	return sv, err
}

// surveyOnSolve sends a solved ticket's survey: a new one, or a fresh link
// for one that expired unanswered. A survey still open or answered is left
// as it is, so a ticket solved twice asks once.
func (s *Service) surveyOnSolve(ctx context.Context, ticketID string) error {
	now := s.now()
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		if t.Status != triage.StatusSolved {
			return nil // reopened since: the next solve sends it
		}
		sv, err := ticketSurvey(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if sv != nil && surveyState(sv, now) != SurveyExpired {
			return nil
		}
		if staff, err := requesterIsStaff(ctx, tx, t); err != nil || staff {
			return err // a colleague's rating is no customer's
		}
		sv, token, err := issue(ctx, tx, t, sv, now)
		if err != nil {
			return err
		}
		return triage.EventCSATRequested.Emit(ctx, tx, triage.SurveyRequest{TicketID: t.ID, SurveyID: sv.ID, URL: s.SurveyURL + token, ExpiresAt: sv.ExpiresAt, At: now})
	})
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil
	}
	return err
}

// IssueSurvey mails a new link to a solved or closed ticket's survey to
// its requester, by the same durable path as the link sent on solving
// (EventCSATRequested, then the e-mail channel's send job), and
// invalidates the previous link. The link is valid for 28 days from now.
// It is never returned: a survey rates the staff's work, so no one on
// the staff holds a link to it. When the link cannot reach the requester
// (no address, a channel answered elsewhere, no outbound mail) nothing is
// made and the answer is ECONFLICT. The assignee may not ask for one
// (the rating is about their work), nor may anyone when the requester is
// staff; every new link is written to the ticket's history with who
// asked, and where it went.
func (s *Service) IssueSurvey(ctx context.Context, ticketID string, idem *triage.Idempotency) (*SurveyStatus, error) {
	now := s.now()
	return triage.Write(ctx, s.Store, idem, now, nil, func(tx triage.Tx) (*SurveyStatus, error) {
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return nil, err
		}
		if t.Status != triage.StatusSolved && t.Status != triage.StatusClosed {
			return nil, &triage.Error{Code: triage.ECONFLICT, Field: "status", Message: "ticket " + ticketID + " is " + string(t.Status) + "; a survey asks about a solved ticket"}
		}
		sv, err := ticketSurvey(ctx, tx, ticketID)
		if err != nil {
			return nil, err
		}
		if sv != nil && sv.AnsweredAt != nil {
			return nil, triage.Errorf(triage.ECONFLICT, "the customer already answered this ticket's survey on %s", sv.AnsweredAt.Format(time.DateOnly))
		}
		p := triage.PrincipalFromContext(ctx)
		if p != nil && p.AgentID != "" && p.AgentID == t.AssigneeID {
			return nil, triage.Errorf(triage.EFORBIDDEN, "you are assigned to ticket %s, and its survey rates your work: ask a colleague or an admin to send the link", ticketID)
		}
		if staff, err := requesterIsStaff(ctx, tx, t); err != nil {
			return nil, err
		} else if staff {
			return nil, &triage.Error{Code: triage.ECONFLICT, Field: "requester.email", Message: "the requester of ticket " + ticketID + " is on the staff; a survey rates the staff's work and goes to customers only"}
		}
		if s.Mailer == nil {
			return nil, triage.Errorf(triage.ECONFLICT, "this server cannot mail survey links; a link goes only to the requester, never to staff")
		} else if err := s.Mailer.CanMailSurvey(t); err != nil {
			return nil, err
		}
		old := SurveyNone
		if sv != nil {
			old = surveyState(sv, now)
		}
		sv, token, err := issue(ctx, tx, t, sv, now)
		if err != nil {
			return nil, err
		}
		if err := tx.AddHistory(ctx, &triage.HistoryEntry{ID: triage.NewID(), TicketID: t.ID, Actor: p.Actor(), At: now,
			Field: "csat_link", Old: old, New: "issued", Why: triage.Reasons{triage.NewReason(triage.ReasonCSATLinkReissued, t.Requester.Email)}}); err != nil {
			return nil, err
		}
		if err := triage.EventCSATRequested.Emit(ctx, tx, triage.SurveyRequest{TicketID: t.ID, SurveyID: sv.ID, URL: s.SurveyURL + token, ExpiresAt: sv.ExpiresAt, At: now}); err != nil {
			return nil, err
		}
		return &SurveyStatus{Survey: sv, Status: SurveyOpen}, nil
	})
}

// requesterIsStaff reports whether t's requester is one of the staff: the
// assignee, or anyone with a sign-in account, by e-mail address. Their
// rating would be of their own or a colleague's work.
func requesterIsStaff(ctx context.Context, r triage.Reader, t *triage.Ticket) (bool, error) {
	email := strings.TrimSpace(t.Requester.Email)
	if email == "" {
		return false, nil
	}
	if t.AssigneeID != "" {
		a, err := r.Agent(ctx, t.AssigneeID)
		if err != nil && !triage.IsCode(err, triage.ENOTFOUND) {
			return false, err
		}
		if a != nil && strings.EqualFold(strings.TrimSpace(a.Email), email) {
			return true, nil
		}
	}
	_, err := r.AccountByEmail(ctx, email)
	if triage.IsCode(err, triage.ENOTFOUND) {
		return false, nil
	}
	return err == nil, err
}

// TicketSurvey returns a ticket's survey for staff, with status "none"
// when none was sent.
func (s *Service) TicketSurvey(ctx context.Context, ticketID string) (*SurveyStatus, error) {
	if _, err := s.Store.Ticket(ctx, ticketID); err != nil {
		return nil, err
	}
	sv, err := ticketSurvey(ctx, s.Store, ticketID)
	if err != nil {
		return nil, err
	}
	if sv == nil {
		return &SurveyStatus{Status: SurveyNone}, nil
	}
	out := &SurveyStatus{Survey: sv, Status: surveyState(sv, s.now())}
	mails, err := s.Store.TicketMail(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	for _, m := range mails {
		if m.Direction == triage.MailOut && m.Purpose == triage.MailSurvey {
			out.Mail = m
		}
	}
	return out, nil
}

// PublicSurvey is what a survey link shows: the ticket's title and where
// the survey stands. Unknown links are ENOTFOUND.
func (s *Service) PublicSurvey(ctx context.Context, token string) (*SurveyView, error) {
	if !wellFormed(token) {
		return nil, errUnknownSurvey
	}
	sv, err := s.Store.SurveyByHash(ctx, hashSurveyToken(token))
	if triage.IsCode(err, triage.ENOTFOUND) {
		return nil, errUnknownSurvey
	} else if err != nil {
		return nil, err
	}
	t, err := s.Store.Ticket(ctx, sv.TicketID)
	if err != nil {
		return nil, err
	}
	return view(sv, t, s.now()), nil
}

func view(sv *triage.Survey, t *triage.Ticket, now time.Time) *SurveyView {
	return &SurveyView{TicketTitle: t.Title, Status: surveyState(sv, now), Rating: sv.Rating, Comment: sv.Comment,
		ExpiresAt: sv.ExpiresAt, AnsweredAt: sv.AnsweredAt}
}

// AnswerSurvey records the customer's rating (1 to 5) and comment, once.
// Sending the same answer again returns it (a double click); another
// answer is ECONFLICT, and so is an answer after 28 days.
func (s *Service) AnswerSurvey(ctx context.Context, token string, a triage.SurveyAnswer) (*SurveyView, error) {
	a.Comment = strings.TrimSpace(a.Comment)
	switch {
	case a.Rating < 1 || a.Rating > 5:
		return nil, triage.Invalid("rating", "rating must be a whole number from 1 (very unhappy) to 5 (very happy)")
	case !utf8.ValidString(a.Comment) || utf8.RuneCountInString(a.Comment) > MaxSurveyComment:
		return nil, triage.Invalid("comment", "comment must be text of at most %d characters", MaxSurveyComment)
	case !wellFormed(token):
		return nil, errUnknownSurvey
	}
	now := s.now()
	var out *SurveyView
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		sv, err := tx.SurveyByHash(ctx, hashSurveyToken(token))
		if triage.IsCode(err, triage.ENOTFOUND) {
			return errUnknownSurvey
		} else if err != nil {
			return err
		}
		t, err := tx.Ticket(ctx, sv.TicketID)
		if err != nil {
			return err
		}
		out, err = record(ctx, tx, sv, t, a, now)
		return err
	})
	return out, err
}

// RateAsRequester records the rating of a requester signed in to "my
// tickets", whose session the caller checked owns ticketID: the ticket's
// survey is answered as its link would answer it, without a link, so the
// one mailed stays the only one that exists. A ticket that never had a
// survey gets one here.
func (s *Service) RateAsRequester(ctx context.Context, ticketID string, a triage.SurveyAnswer) (*SurveyView, error) {
	a.Comment = strings.TrimSpace(a.Comment)
	switch {
	case a.Rating < 1 || a.Rating > 5:
		return nil, triage.Invalid("rating", "rating must be a whole number from 1 (very unhappy) to 5 (very happy)")
	case !utf8.ValidString(a.Comment) || utf8.RuneCountInString(a.Comment) > MaxSurveyComment:
		return nil, triage.Invalid("comment", "comment must be text of at most %d characters", MaxSurveyComment)
	}
	now := s.now()
	var out *SurveyView
	err := s.Store.Update(ctx, func(tx triage.Tx) error {
		t, err := tx.Ticket(ctx, ticketID)
		if err != nil {
			return err
		}
		if t.Status != triage.StatusSolved && t.Status != triage.StatusClosed {
			return &triage.Error{Code: triage.ECONFLICT, Field: "status", Message: "ticket " + ticketID + " is " + string(t.Status) + "; a rating is for a solved ticket"}
		}
		if staff, err := requesterIsStaff(ctx, tx, t); err != nil {
			return err
		} else if staff {
			return triage.Errorf(triage.EFORBIDDEN, "the requester of ticket %s is on the staff; a rating of the staff's work comes from customers only", ticketID)
		}
		sv, err := ticketSurvey(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if sv == nil {
			// The token is dropped: nobody needs a link to a survey
			// answered in the same transaction.
			if sv, _, err = issue(ctx, tx, t, nil, now); err != nil {
				return err
			}
		}
		out, err = record(ctx, tx, sv, t, a, now)
		return err
	})
	return out, err
}

// record answers sv for t once: the same answer again is returned as it
// stands (a double click), another answer or an expired survey is
// ECONFLICT.
func record(ctx context.Context, tx triage.Tx, sv *triage.Survey, t *triage.Ticket, a triage.SurveyAnswer, now time.Time) (*SurveyView, error) {
	switch surveyState(sv, now) {
	case SurveyAnswered:
		if sv.Rating == a.Rating && sv.Comment == a.Comment {
			return view(sv, t, now), nil
		}
		return nil, triage.Errorf(triage.ECONFLICT, "this survey was already answered on %s; thank you", sv.AnsweredAt.Format(time.DateOnly))
	case SurveyExpired:
		return nil, triage.Errorf(triage.ECONFLICT, "this survey expired on %s", sv.ExpiresAt.Format(time.DateOnly))
	}
	sv.Rating, sv.Comment, sv.AnsweredAt = a.Rating, a.Comment, &now
	sv.AgentID, sv.TeamID, sv.Category = t.AssigneeID, t.TeamID, t.Category
	if err := tx.UpdateSurvey(ctx, sv); err != nil {
		return nil, err
	}
	return view(sv, t, now), triage.EventCSATReceived.Emit(ctx, tx, triage.SurveyReceived{TicketID: t.ID, SurveyID: sv.ID, Rating: sv.Rating, Comment: sv.Comment,
		AgentID: sv.AgentID, TeamID: sv.TeamID, Category: sv.Category, At: now})
}
