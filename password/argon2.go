package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/triagehq/triage"
	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters and the sizes of salt and key.
type Params struct {
	// Memory is in KiB.
	Memory  uint32
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams are OWASP's recommended argon2id settings (19 MiB, two
// passes, one lane): 41 ms a hash on the project's shared two-core
// machines (BenchmarkHashDefault), cheap enough that sign-in stays quick
// and dear enough that a stolen table of hashes is slow to attack.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds for parameters, whether configured or read from a stored hash.
// A corrupt or hostile hash must not make Verify allocate gigabytes or
// spin for minutes.
const (
	minMemory  = 8 * 1024    // 8 MiB: below this argon2id is no longer memory-hard in any useful sense
	maxMemory  = 1024 * 1024 // 1 GiB
	maxTime    = 16
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
	// MaxLength is the longest password accepted, in bytes, so that
	// hashing cost does not depend on what an attacker sends.
	MaxLength = 1024
)

func (p Params) validate() error {
	switch {
	case p.Memory < minMemory || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB is outside %d..%d", p.Memory, minMemory, maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d is outside 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return fmt.Errorf("threads must be at least 1")
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d is outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d is outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hash is a parsed PHC string.
type Hash struct {
	Params Params
	Salt   []byte
	Key    []byte
}

// String returns the PHC form: $argon2id$v=19$m=..,t=..,p=..$salt$key,
// with unpadded standard base64 as the PHC format prescribes.
func (h Hash) String() string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.Params.Memory, h.Params.Time, h.Params.Threads, b64.EncodeToString(h.Salt), b64.EncodeToString(h.Key))
}

// errMalformed is the one error Parse returns: a stored hash that cannot be
// read is an operator's problem, and its text must not echo the hash.
var errMalformed = errors.New("password: the stored hash is not an argon2id PHC string")

// Parse reads a PHC string written by Hash.String (or by any argon2id
// implementation that follows the PHC format), refusing parameters outside
// the bounds above.
func Parse(encoded string) (Hash, error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Hash{}, errMalformed
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Hash{}, errMalformed
	}
	var h Hash
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] || v == "" || (len(v) > 1 && v[0] == '0') {
			return Hash{}, errMalformed
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return Hash{}, errMalformed
		}
		switch k {
		case "m":
			h.Params.Memory = uint32(n)
		case "t":
			h.Params.Time = uint32(n)
		case "p":
			if n > 255 {
				return Hash{}, errMalformed
			}
			h.Params.Threads = uint8(n)
		default:
			return Hash{}, errMalformed
		}
	}
	if len(seen) != 3 {
		return Hash{}, errMalformed
	}
	var err error
	if h.Salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil {
		return Hash{}, errMalformed
	}
	if h.Key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil {
		return Hash{}, errMalformed
	}
	// The decoder skips \r and \n; a PHC string has neither.
	if base64.RawStdEncoding.EncodeToString(h.Salt) != parts[4] || base64.RawStdEncoding.EncodeToString(h.Key) != parts[5] {
		return Hash{}, errMalformed
	}
	h.Params.SaltLen, h.Params.KeyLen = uint32(len(h.Salt)), uint32(len(h.Key))
	if h.Params.validate() != nil {
		return Hash{}, errMalformed
	}
	return h, nil
}

// Hasher hashes and verifies passwords with one set of parameters, running
// at most a bounded number of hashes at once.
type Hasher struct {
	params Params
	slots  chan struct{}
	// dummy is hashed by VerifyMissing so that a missing account costs what
	// a wrong password costs.
	dummy Hash
}

// NewHasher returns a Hasher for p. At most concurrent hashes run at once
// (0 means the number of CPUs); the rest wait, or give up when their
// context ends, so the memory argon2id takes is bounded by
// concurrent × p.Memory.
func NewHasher(p Params, concurrent int) (*Hasher, error) {
	if err := p.validate(); err != nil {
		return nil, &triage.Error{Code: triage.EINVALID, Field: "password.params", Message: "argon2id parameters: " + err.Error()}
	}
	if concurrent <= 0 {
		concurrent = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: p, slots: make(chan struct{}, concurrent)}
	h.dummy = Hash{Params: p, Salt: make([]byte, p.SaltLen), Key: make([]byte, p.KeyLen)}
	return h, nil
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return &triage.Error{Code: triage.EUNAVAILABLE, Message: "too many sign-ins at once; try again", Err: ctx.Err()}
	}
}

func (h *Hasher) release() { <-h.slots }

func (h *Hasher) key(ctx context.Context, password string, p Params, salt []byte) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// Hash returns the PHC string of password with a fresh random salt. It
// refuses a password longer than MaxLength bytes; whether a password is
// good enough is Policy's question, asked before.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxLength {
		return "", triage.Invalid("password", "password must be at most %d bytes", MaxLength)
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := h.key(ctx, password, h.params, salt)
	if err != nil {
		return "", err
	}
	return Hash{Params: h.params, Salt: salt, Key: key}.String(), nil
}

// Verify reports whether password matches encoded, and whether encoded
// should be replaced by a new Hash of the same password because it was
// made with other parameters than h's (rehash is only ever true with ok).
// A malformed stored hash is an error, never a match.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	stored, err := Parse(encoded)
	if err != nil {
		return false, false, err
	}
	if len(password) > MaxLength {
		// Spend the work anyway: a quick refusal would be a timing signal
		// only for absurd inputs, but there is no reason to differ.
		_ = h.VerifyMissing(ctx, "")
		return false, false, nil
	}
	key, err := h.key(ctx, password, stored.Params, stored.Salt)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(key, stored.Key) != 1 {
		return false, false, nil
	}
	return true, stored.Params != h.params, nil
}

// VerifyMissing does the work of one Verify with h's parameters and
// reports false; call it when no account matches the name given, so that
// the answer takes as long as a wrong password's.
func (h *Hasher) VerifyMissing(ctx context.Context, password string) error {
	if len(password) > MaxLength {
		password = password[:MaxLength]
	}
	_, err := h.key(ctx, password, h.dummy.Params, h.dummy.Salt)
	return err
}

// NeedsRehash reports whether encoded was made with other parameters than
// h's (or cannot be read at all).
func (h *Hasher) NeedsRehash(encoded string) bool {
	stored, err := Parse(encoded)
	return err != nil || stored.Params != h.params
}
