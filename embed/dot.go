package embed

// dot is the dot product of two vectors of the same length, the whole cost
// of a vector search. Its sum has a fixed shape: 32 lanes, each adding every
// 32nd product, then the lanes folded in a fixed order, then the remainder
// one by one. On amd64 with AVX2 the lanes are four 8-wide registers
// (dot_amd64.s); elsewhere dotLanes does the same additions in the same
// order, so the two give the same bits and a search ranks the same
// everywhere.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	n := len(a) &^ 31
	s := dotBlocks(a[:n], b[:n])
	for i := n; i < len(a); i++ {
		s += float32(a[i] * b[i])
	}
	return s
}

// dotLanes is dotBlocks in Go; len(a) is a multiple of 32. The float32
// conversions keep the compiler from fusing a multiply and an add, which
// would round differently from the vector instructions.
func dotLanes(a, b []float32) float32 {
	var acc [32]float32
	b = b[:len(a)]
	for i := 0; i+32 <= len(a); i += 32 {
		x, y := a[i:i+32], b[i:i+32]
		for j := range acc {
			acc[j] += float32(x[j] * y[j])
		}
	}
	var l [8]float32
	for j := range l {
		l[j] = (acc[j] + acc[8+j]) + (acc[16+j] + acc[24+j])
	}
	h0, h1, h2, h3 := l[0]+l[4], l[1]+l[5], l[2]+l[6], l[3]+l[7]
	return (h0 + h2) + (h1 + h3)
}
