package password

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"golang.org/x/crypto/argon2"
)

// cheap keeps the tests quick; the cost of DefaultParams is measured by
// the benchmark, not asserted here.
var cheap = Params{Memory: minMemory, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newHasher(t testing.TB, p Params) *Hasher {
	t.Helper()
	h, err := NewHasher(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, cheap)
	for _, pw := range []string{"correct horse battery staple", "我的密码是长城万里长", "x", strings.Repeat("长", MaxLength/3)} {
		encoded, err := h.Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(encoded, "$argon2id$v=19$m=8192,t=1,p=1$") {
			t.Fatalf("hash %q does not carry its parameters in PHC form", encoded)
		}
		ok, rehash, err := h.Verify(ctx, encoded, pw)
		if err != nil || !ok || rehash {
			t.Fatalf("Verify(right password) = %v, %v, %v; want true, false, nil", ok, rehash, err)
		}
		for _, wrong := range []string{pw + " ", strings.ToUpper(pw) + "X", "", pw[:len(pw)-1]} {
			if ok, _, err := h.Verify(ctx, encoded, wrong); ok || err != nil {
				t.Fatalf("Verify(wrong password %q) = %v, %v", wrong, ok, err)
			}
		}
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	h := newHasher(t, cheap)
	a, _ := h.Hash(context.Background(), "same password here")
	b, _ := h.Hash(context.Background(), "same password here")
	if a == b {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

// TestKnownAnswer checks the encoding against argon2id computed directly,
// so that a hash written here verifies in any other PHC implementation.
func TestKnownAnswer(t *testing.T) {
	salt := []byte("saltsaltsaltsalt")
	key := argon2.IDKey([]byte("password"), salt, 2, 19456, 1, 32)
	want := "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + b64(key)
	got := Hash{Params: Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, Salt: salt, Key: key}.String()
	if got != want {
		t.Fatalf("String() = %s, want %s", got, want)
	}
	h := newHasher(t, DefaultParams())
	if ok, rehash, err := h.Verify(context.Background(), want, "password"); !ok || rehash || err != nil {
		t.Fatalf("Verify = %v, %v, %v", ok, rehash, err)
	}
}

// TestReferenceVector verifies the reference implementation's argon2id
// test vector (phc-winner-argon2 test.c: password "password", salt
// "somesalt", t=2, m=64 MiB, p=1, version 0x13; tag 09316115...3cf7),
// through Parse and argon2 directly.
func TestReferenceVector(t *testing.T) {
	const ref = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	const tag = "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"
	h, err := Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(h.Key) != tag || string(h.Salt) != "somesalt" {
		t.Fatalf("Parse read salt %q key %x", h.Salt, h.Key)
	}
	if h.String() != ref {
		t.Fatalf("round trip: %s", h.String())
	}
	hasher := newHasher(t, DefaultParams())
	ok, rehash, err := hasher.Verify(context.Background(), ref, "password")
	if !ok || !rehash || err != nil {
		t.Fatalf("Verify(reference vector) = %v, %v, %v; want a match that asks for our parameters", ok, rehash, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	old := newHasher(t, cheap)
	encoded, _ := old.Hash(ctx, "a long enough password")
	stronger := cheap
	stronger.Time = 2
	h := newHasher(t, stronger)
	if !h.NeedsRehash(encoded) {
		t.Fatal("NeedsRehash is false after the parameters changed")
	}
	ok, rehash, err := h.Verify(ctx, encoded, "a long enough password")
	if !ok || !rehash || err != nil {
		t.Fatalf("Verify of an old hash = %v, %v, %v; want it to verify and ask for a rehash", ok, rehash, err)
	}
	if ok, rehash, _ := h.Verify(ctx, encoded, "wrong"); ok || rehash {
		t.Fatal("a wrong password asked for a rehash")
	}
	fresh, _ := h.Hash(ctx, "a long enough password")
	if h.NeedsRehash(fresh) {
		t.Fatal("a fresh hash needs a rehash")
	}
	if !h.NeedsRehash("garbage") {
		t.Fatal("an unreadable hash does not need a rehash")
	}
}

func TestParseRefuses(t *testing.T) {
	good := "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + b64(make([]byte, 32))
	if _, err := Parse(good); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{
		"empty":            "",
		"argon2i":          strings.Replace(good, "argon2id", "argon2i", 1),
		"bcrypt":           "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"version 16":       strings.Replace(good, "v=19", "v=16", 1),
		"missing p":        strings.Replace(good, ",p=1", "", 1),
		"repeated m":       strings.Replace(good, "t=2", "m=2", 1),
		"unknown param":    strings.Replace(good, "p=1", "x=1", 1),
		"huge memory":      strings.Replace(good, "m=19456", "m=4194304", 1),
		"tiny memory":      strings.Replace(good, "m=19456", "m=8", 1),
		"leading zero":     strings.Replace(good, "t=2", "t=02", 1),
		"negative":         strings.Replace(good, "t=2", "t=-2", 1),
		"zero time":        strings.Replace(good, "t=2", "t=0", 1),
		"huge time":        strings.Replace(good, "t=2", "t=1000", 1),
		"threads 256":      strings.Replace(good, "p=1", "p=256", 1),
		"padded salt":      strings.Replace(good, "c2FsdHNhbHRzYWx0c2FsdA", "c2FsdHNhbHRzYWx0c2FsdA==", 1),
		"bad base64":       strings.Replace(good, "c2FsdHNhbHRzYWx0c2FsdA", "!!!!", 1),
		"short salt":       strings.Replace(good, "c2FsdHNhbHRzYWx0c2FsdA", "c2FsdA", 1),
		"short key":        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$c2FsdA",
		"trailing section": good + "$x",
		"no leading $":     good[1:],
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(s)
			if err == nil {
				t.Fatalf("Parse(%q) accepted it", s)
			}
			if strings.Contains(err.Error(), "c2Fsd") {
				t.Fatalf("the error repeats the stored hash: %v", err)
			}
			h := newHasher(t, cheap)
			if ok, _, err := h.Verify(context.Background(), s, "password"); ok || err == nil {
				t.Fatalf("Verify with a malformed hash = %v, %v", ok, err)
			}
		})
	}
}

func TestNewHasherRefusesWeakParams(t *testing.T) {
	for _, p := range []Params{{}, {Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, {Memory: minMemory, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}} {
		_, err := NewHasher(p, 1)
		if !triage.IsCode(err, triage.EINVALID) {
			t.Fatalf("NewHasher(%+v) = %v, want EINVALID", p, err)
		}
	}
}

func TestTooLong(t *testing.T) {
	h := newHasher(t, cheap)
	_, err := h.Hash(context.Background(), strings.Repeat("a", MaxLength+1))
	var e *triage.Error
	if !errors.As(err, &e) || e.Field != "password" {
		t.Fatalf("Hash(too long) = %v", err)
	}
	encoded, _ := h.Hash(context.Background(), strings.Repeat("a", MaxLength))
	if ok, _, err := h.Verify(context.Background(), encoded, strings.Repeat("a", MaxLength+1)); ok || err != nil {
		t.Fatalf("Verify(too long) = %v, %v", ok, err)
	}
}

// TestConcurrencyBound runs many hashes at once through a Hasher that
// allows two and checks that no more than two ran together, and that a
// waiter whose context ends gives up with EUNAVAILABLE.
func TestConcurrencyBound(t *testing.T) {
	h := newHasher(t, cheap)
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.acquire(context.Background()); err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			h.release()
		}()
	}
	wg.Wait()
	if most.Load() != 2 {
		t.Fatalf("%d hashes ran at once, want 2", most.Load())
	}
	// Fill both slots, then ask for a third with a context that ends.
	_ = h.acquire(context.Background())
	_ = h.acquire(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "a long enough password"); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Fatalf("Hash with no free slot = %v, want EUNAVAILABLE", err)
	}
	if err := h.VerifyMissing(ctx, "x"); !triage.IsCode(err, triage.EUNAVAILABLE) {
		t.Fatalf("VerifyMissing with no free slot = %v, want EUNAVAILABLE", err)
	}
}

func TestVerifyMissingDoesTheWork(t *testing.T) {
	// Compare the work of VerifyMissing with Verify's by counting
	// allocated bytes: argon2id's memory is its cost, and both must
	// allocate the same order of magnitude. (Timing in a test is flaky;
	// allocation is exact.)
	h := newHasher(t, cheap)
	ctx := context.Background()
	encoded, _ := h.Hash(ctx, "a long enough password")
	verify := testing.AllocsPerRun(3, func() { _, _, _ = h.Verify(ctx, encoded, "wrong password") })
	missing := testing.AllocsPerRun(3, func() { _ = h.VerifyMissing(ctx, "wrong password") })
	if missing < verify/2 {
		t.Fatalf("VerifyMissing allocates %.0f times, Verify %.0f: a missing account answers faster", missing, verify)
	}
	bytesOf := func(f func()) int64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 3 {
			f()
		}
		runtime.ReadMemStats(&after)
		return int64(after.TotalAlloc-before.TotalAlloc) / 3
	}
	vb := bytesOf(func() { _, _, _ = h.Verify(ctx, encoded, "wrong password") })
	mb := bytesOf(func() { _ = h.VerifyMissing(ctx, "wrong password") })
	if mb < int64(cheap.Memory)*1024/2 || mb < vb/2 {
		t.Fatalf("VerifyMissing allocates %d bytes a call, Verify %d: it does not do argon2id's work", mb, vb)
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := newHasher(b, DefaultParams())
	for range b.N {
		if _, err := h.Hash(context.Background(), "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func b64(p []byte) string { return base64.RawStdEncoding.EncodeToString(p) }
