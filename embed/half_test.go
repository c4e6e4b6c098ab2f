package embed

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Every half survives the trip through float32 and back; every float32
// rounds to the nearer of its two neighbouring halves, ties to even.
func TestHalfRounding(t *testing.T) {
	for h := range 1 << 16 {
		f := fromHalf(uint16(h))
		if f != f { // NaN
			if back := toHalf(f); fromHalf(back) == fromHalf(back) {
				t.Errorf("NaN %#04x came back as %#04x", h, back)
			}
			continue
		}
		if back := toHalf(f); back != uint16(h) {
			t.Errorf("half %#04x = %v came back as %#04x", h, f, back)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for range 200000 {
		f := float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(40)-30)))
		h := toHalf(f)
		got := float64(fromHalf(h))
		// The neighbours of h: nothing between them may be nearer to f.
		for _, n := range []uint16{h - 1, h + 1} {
			if n&0x7c00 == 0x7c00 || (h&0x7fff == 0 && n&0x7fff != 1) {
				continue
			}
			other := float64(fromHalf(n))
			d, e := math.Abs(got-float64(f)), math.Abs(other-float64(f))
			if e < d || e == d && n&1 == 0 && h&1 == 1 {
				t.Fatalf("%v rounded to %v (%#04x), %v (%#04x) is nearer or the even tie", f, got, h, other, n)
			}
		}
	}
	for _, c := range []struct {
		f    float32
		want uint16
	}{{0, 0}, {float32(math.Copysign(0, -1)), 0x8000}, {1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {1e-8, 0}, {float32(math.Pow(2, -24)), 1}, {float32(math.Inf(-1)), 0xfc00}} {
		if got := toHalf(c.f); got != c.want {
			t.Errorf("toHalf(%v) = %#04x, want %#04x", c.f, got, c.want)
		}
	}
}

// The vector instructions and the Go lanes give the same bits, and both
// equal dot with the halves widened first.
func TestDotHalfSameBitsEverywhere(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{0, 1, 31, 32, 33, 64, 100, 384, 1536} {
		a, b := make([]float32, n), make([]uint16, n)
		wide := make([]float32, n)
		for i := range a {
			a[i] = float32(rng.NormFloat64())
			b[i] = toHalf(float32(rng.NormFloat64()))
			wide[i] = fromHalf(b[i])
		}
		m := n &^ 31
		want := dotHalfLanes(a[:m], b[:m])
		for i := m; i < n; i++ {
			want += float32(a[i] * fromHalf(b[i]))
		}
		got := dotHalf(a, b)
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("n=%d: dotHalf %v, the Go lanes %v", n, got, want)
		}
		if d := dot(a, wide); math.Float32bits(got) != math.Float32bits(d) {
			t.Errorf("n=%d: dotHalf %v, dot of the widened halves %v", n, got, d)
		}
	}
}

// BenchmarkScanRows is the inner loop of a search over 2,048 rows of 384
// dimensions, float32 against float16 rows.
func BenchmarkScanRows(b *testing.B) {
	const d, n = 384, 2048
	rng := rand.New(rand.NewPCG(9, 10))
	q := randomUnit(rng, d)
	full, half := make([]float32, 0, n*d), make([]uint16, 0, n*d)
	for range n {
		for _, f := range randomUnit(rng, d) {
			full, half = append(full, f), append(half, toHalf(f))
		}
	}
	var sink float32
	b.Run("float32", func(b *testing.B) {
		for b.Loop() {
			for r := range n {
				sink += dot(q, full[r*d:(r+1)*d])
			}
		}
	})
	b.Run("float16", func(b *testing.B) {
		for b.Loop() {
			for r := range n {
				sink += dotHalf(q, half[r*d:(r+1)*d])
			}
		}
	})
	_ = sink
}
