package triage

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Agent is a person who works tickets.
type Agent struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Skills are the categories the agent handles; routing only offers an
	// agent tickets whose category is among them.
	Skills []string `json:"skills"`
	// Capacity is the most active tickets the agent may hold at once.
	Capacity       int        `json:"capacity"`
	Online         bool       `json:"online"`
	LastAssignedAt *time.Time `json:"last_assigned_at"`
	// PresenceOverride is the agent's own choice of presence (online, away
	// or offline), or empty to follow activity; LastSeenAt is the last
	// activity. See PresenceAt.
	PresenceOverride Presence   `json:"presence_override"`
	LastSeenAt       *time.Time `json:"last_seen_at"`
	// Presence is PresenceAt when the agent was read, for clients.
	Presence  Presence  `json:"presence"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
}

// MaxCapacity bounds an agent's capacity to catch typos like 1000.
const MaxCapacity = 500

// Validate checks an agent and normalises it in place.
func (a *Agent) Validate() error {
	a.Name = strings.TrimSpace(a.Name)
	a.Email = strings.TrimSpace(a.Email)
	switch {
	case a.Name == "":
		return Invalid("name", "name is required")
	case utf8.RuneCountInString(a.Name) > MaxNameRunes:
		return Invalid("name", "name is longer than %d characters", MaxNameRunes)
	case a.Capacity < 0 || a.Capacity > MaxCapacity:
		return Invalid("capacity", "capacity must be between 0 and %d", MaxCapacity)
	}
	if a.Email != "" {
		r := Requester{Email: a.Email}
		if err := r.Validate(); err != nil {
			return Invalid("email", "email %q is not an e-mail address", a.Email)
		}
	}
	skills, err := CleanSkills(a.Skills)
	if err != nil {
		return err
	}
	a.Skills = skills
	return nil
}

// CleanSkills trims and de-duplicates skills. Skills are categories, which
// may be Chinese words with spaces inside, so they are not lower-cased like
// tags.
func CleanSkills(skills []string) ([]string, error) {
	out := make([]string, 0, len(skills))
	for i, s := range skills {
		s = strings.TrimSpace(s)
		if s == "" || utf8.RuneCountInString(s) > MaxTagRunes {
			return nil, Invalid("skills", "skills[%d] must be 1-%d characters", i, MaxTagRunes)
		}
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// AgentLoad is how much an agent holds now: active tickets by priority.
type AgentLoad struct {
	AgentID    string           `json:"agent_id"`
	Open       int              `json:"open"`
	ByPriority map[Priority]int `json:"by_priority"`
}

// Team groups agents; a ticket that nobody eligible can take waits in its
// team's queue.
type Team struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"` // agent ids
	LeadID  string   `json:"lead_id"`
	// Categories are the categories this team's queue receives when no
	// member can take a ticket now.
	Categories []string  `json:"categories"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int       `json:"version"`
}

// Validate checks a team and normalises it in place.
func (t *Team) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	switch {
	case t.Name == "":
		return Invalid("name", "name is required")
	case utf8.RuneCountInString(t.Name) > MaxNameRunes:
		return Invalid("name", "name is longer than %d characters", MaxNameRunes)
	}
	members := make([]string, 0, len(t.Members))
	for i, m := range t.Members {
		m = strings.TrimSpace(m)
		if m == "" {
			return Invalid("members", "members[%d] is empty", i)
		}
		if !contains(members, m) {
			members = append(members, m)
		}
	}
	t.Members = members
	t.LeadID = strings.TrimSpace(t.LeadID)
	if t.LeadID != "" && !contains(t.Members, t.LeadID) {
		return Invalid("lead_id", "lead_id must be one of the team's members")
	}
	cats, err := CleanSkills(t.Categories)
	if err != nil {
		return Invalid("categories", "%s", ErrorMessage(err))
	}
	t.Categories = cats
	return nil
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
