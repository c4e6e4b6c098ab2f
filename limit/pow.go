package limit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/bits"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/triagehq/triage"
)

// PoWConfig configures the proof of work of the public request form.
type PoWConfig struct {
	// Secret keys the challenges' MAC; at least 32 bytes (for example
	// seal.Keyring.Derive("proof of work")).
	Secret []byte
	// Difficulty is the number of leading zero bits asked of a solution's
	// SHA-256: each bit doubles the work. 0 means 16, 65,536 hashes on
	// average.
	Difficulty int
	// Window is how long a challenge may be solved and used; 0 means ten
	// minutes.
	Window time.Duration
	// MinAge refuses a challenge used sooner than this after it was
	// issued: a person takes seconds to fill in a form, a bot does not.
	// 0 means no minimum.
	MinAge time.Duration
	// MaxSeen bounds the memory of used challenges (replay protection);
	// 0 means DefaultMaxKeys.
	MaxSeen int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// PoW issues and verifies proof-of-work challenges. Safe for concurrent
// use.
type PoW struct {
	cfg  PoWConfig
	mu   sync.Mutex
	seen map[string]time.Time // challenge id -> when it stops being valid
	// purged is when seen was last swept for expired ids; a full map is
	// swept at most once a second, so a flood costs no O(n) per request.
	purged time.Time
}

const (
	powPrefix = "pow1"
	powIDLen  = 12
	powMACLen = 16
	// maxSolution bounds the solution's length: a decimal counter.
	maxSolution = 20
)

// NewPoW returns a PoW for cfg.
func NewPoW(cfg PoWConfig) (*PoW, error) {
	if len(cfg.Secret) < 32 {
		return nil, triage.Invalid("pow.secret", "the proof-of-work secret must be at least 32 bytes")
	}
	if cfg.Difficulty == 0 {
		cfg.Difficulty = 16
	}
	if cfg.Difficulty < 1 || cfg.Difficulty > 32 {
		return nil, triage.Invalid("pow.difficulty", "difficulty must be between 1 and 32 bits")
	}
	if cfg.Window == 0 {
		cfg.Window = 10 * time.Minute
	}
	if cfg.Window < 0 || cfg.MinAge < 0 || cfg.MinAge >= cfg.Window {
		return nil, triage.Invalid("pow.window", "the window must be positive and longer than the minimum age")
	}
	if cfg.MaxSeen <= 0 {
		cfg.MaxSeen = DefaultMaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Secret = append([]byte(nil), cfg.Secret...)
	return &PoW{cfg: cfg, seen: map[string]time.Time{}}, nil
}

func (p *PoW) mac(issued int64, difficulty int, id, scope string) string {
	m := hmac.New(sha256.New, p.cfg.Secret)
	m.Write([]byte(powPrefix + "\x00" + strconv.FormatInt(issued, 10) + "\x00" + strconv.Itoa(difficulty) + "\x00" + id + "\x00" + scope))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:powMACLen])
}

// Challenge returns a new challenge for scope (the form it protects, for
// example "help/new"): pow1.<issued unix seconds>.<difficulty>.<id>.<mac>.
// The browser finds a decimal counter n such that SHA-256 of
// "<challenge>.<n>" starts with difficulty zero bits, and sends both.
func (p *PoW) Challenge(scope string) (string, error) {
	id := make([]byte, powIDLen)
	if _, err := rand.Read(id); err != nil {
		return "", err
	}
	issued := p.cfg.Now().Unix()
	ids := base64.RawURLEncoding.EncodeToString(id)
	return strings.Join([]string{powPrefix, strconv.FormatInt(issued, 10), strconv.Itoa(p.cfg.Difficulty), ids, p.mac(issued, p.cfg.Difficulty, ids, scope)}, "."), nil
}

// Difficulty returns the difficulty new challenges are issued with.
func (p *PoW) Difficulty() int { return p.cfg.Difficulty }

func errPoW(format string, args ...any) error {
	return triage.Invalid("pow", format, args...)
}

// leadingZeros counts the leading zero bits of sum.
func leadingZeros(sum []byte) int {
	n := 0
	for _, b := range sum {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// work is the hash a solution must make small.
func work(challenge, solution string) [32]byte {
	return sha256.Sum256([]byte(challenge + "." + solution))
}

// Verify checks a solution to a challenge issued for scope: the MAC, the
// time window, the work, and that the challenge was not used before (it
// is remembered until its window ends). Every refusal is an EINVALID
// *triage.Error on field "pow"; when too many challenges are still
// remembered to remember another, ERATELIMIT.
func (p *PoW) Verify(scope, challenge, solution string) error {
	parts := strings.Split(challenge, ".")
	if len(challenge) > 128 || len(parts) != 5 || parts[0] != powPrefix {
		return errPoW("the proof of work is malformed; reload the page")
	}
	issued, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || strconv.FormatInt(issued, 10) != parts[1] {
		return errPoW("the proof of work is malformed; reload the page")
	}
	difficulty, err := strconv.Atoi(parts[2])
	if err != nil || strconv.Itoa(difficulty) != parts[2] || difficulty < 1 || difficulty > 32 {
		return errPoW("the proof of work is malformed; reload the page")
	}
	id := parts[3]
	if !hmac.Equal([]byte(p.mac(issued, difficulty, id, scope)), []byte(parts[4])) {
		return errPoW("the proof of work was not issued here; reload the page")
	}
	now := p.cfg.Now()
	age := now.Sub(time.Unix(issued, 0))
	switch {
	case age < -time.Minute: // our own clock stepped back; no client can do this
		return errPoW("the proof of work is from the future; reload the page")
	case age >= p.cfg.Window:
		return errPoW("the proof of work has expired; reload the page")
	case age < p.cfg.MinAge:
		return errPoW("the form was sent too quickly; wait a moment and send it again")
	}
	if solution == "" || len(solution) > maxSolution || strings.Trim(solution, "0123456789") != "" {
		return errPoW("the proof of work's solution is malformed")
	}
	sum := work(challenge, solution)
	if leadingZeros(sum[:]) < difficulty {
		return errPoW("the proof of work's solution is wrong")
	}
	return p.remember(id, time.Unix(issued, 0).Add(p.cfg.Window), now)
}

// remember records id as used until until; a used id is refused.
func (p *PoW) remember(id string, until, now time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, used := p.seen[id]; used {
		return errPoW("this proof of work was already used; reload the page")
	}
	if len(p.seen) >= p.cfg.MaxSeen && now.Sub(p.purged) >= time.Second {
		p.purged = now
		for k, t := range p.seen {
			if !now.Before(t) {
				delete(p.seen, k)
			}
		}
	}
	if len(p.seen) >= p.cfg.MaxSeen {
		// Forgetting a live challenge would let it be replayed: refuse
		// instead, until some expire.
		return triage.Errorf(triage.ERATELIMIT, "too many forms are being sent; try again in a minute")
	}
	p.seen[id] = until
	return nil
}

// Solve finds a solution to challenge: what the browser's script does,
// for tests and for Go clients. It gives up after 2^32 tries.
func Solve(challenge string) (string, error) {
	parts := strings.Split(challenge, ".")
	if len(parts) != 5 {
		return "", errPoW("the proof of work is malformed")
	}
	difficulty, err := strconv.Atoi(parts[2])
	if err != nil || difficulty < 1 || difficulty > 32 {
		return "", errPoW("the proof of work is malformed")
	}
	for n := uint64(0); n < 1<<32; n++ {
		s := strconv.FormatUint(n, 10)
		sum := work(challenge, s)
		if leadingZeros(sum[:]) >= difficulty {
			return s, nil
		}
	}
	return "", errPoW("no solution found")
}

// Honeypot reports whether a form came from a bot: true when any of the
// named fields, hidden from people by CSS and labelled "leave empty" for
// screen readers, holds anything. Answer such a form as if it had worked
// and drop it, so the bot learns nothing.
func Honeypot(form url.Values, fields ...string) bool {
	for _, f := range fields {
		for _, v := range form[f] {
			if v != "" {
				return true
			}
		}
	}
	return false
}
