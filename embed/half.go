package embed

import "math"

// The index keeps its vectors as IEEE 754 half-precision numbers (float16):
// a scan over the vectors is bound by the bytes it reads, not by the
// arithmetic, so halving the bytes nearly halves a search, and the index
// takes half the memory. A unit vector's components lose nothing that
// ranks: the relative error of one is at most 2⁻¹¹, a cosine moves by a
// few ten-thousandths at most, and the scores are computed in float32 from
// the stored halves the same way on every machine.

// toHalf rounds f to the nearest float16 (ties to even), as the F16C
// instruction VCVTPS2PH does: overflow gives infinity, tiny values
// subnormals or zero.
func toHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	abs := b & 0x7fffffff
	exp := int(abs>>23) - 127 + 15
	mant := abs & 0x7fffff
	switch {
	case abs > 0x7f800000: // NaN stays NaN (quiet)
		return sign | 0x7e00
	case exp >= 31: // too big, or infinity
		return sign | 0x7c00
	case exp <= 0: // a subnormal half, or zero
		if exp < -10 {
			return sign
		}
		m := mant | 0x800000
		shift := uint(14 - exp)
		h := m >> shift
		rem, half := m&(1<<shift-1), uint32(1)<<(shift-1)
		if rem > half || rem == half && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | mant>>13
	if rem := mant & 0x1fff; rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // a carry into the exponent is right, up to infinity
	}
	return sign | uint16(h)
}

// fromHalf is the float32 of a float16; every half has one exactly.
func fromHalf(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0:
		f := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	case 31:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// dotHalf is dot with b stored as halves: the same lanes and order, each
// half widened exactly to float32 first, so it equals dot(a, the float32s
// of b) to the bit.
func dotHalf(a []float32, b []uint16) float32 {
	b = b[:len(a)]
	n := len(a) &^ 31
	s := dotHalfBlocks(a[:n], b[:n])
	for i := n; i < len(a); i++ {
		s += float32(a[i] * fromHalf(b[i]))
	}
	return s
}

// dotHalfLanes is dotHalfBlocks in Go; len(a) is a multiple of 32.
func dotHalfLanes(a []float32, b []uint16) float32 {
	var acc [32]float32
	b = b[:len(a)]
	for i := 0; i+32 <= len(a); i += 32 {
		x, y := a[i:i+32], b[i:i+32]
		for j := range acc {
			acc[j] += float32(x[j] * fromHalf(y[j]))
		}
	}
	var l [8]float32
	for j := range l {
		l[j] = (acc[j] + acc[8+j]) + (acc[16+j] + acc[24+j])
	}
	h0, h1, h2, h3 := l[0]+l[4], l[1]+l[5], l[2]+l[6], l[3]+l[7]
	return (h0 + h2) + (h1 + h3)
}
