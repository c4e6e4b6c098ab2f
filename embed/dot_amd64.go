package embed

// avx2 reports, once, whether the processor and the operating system support
// AVX2; it is read-only after package initialisation.
var avx2 = cpuHasAVX2()

func cpuHasAVX2() bool

// dotAVX2 is dotLanes in AVX2 for n a multiple of 32.
//
//go:noescape
func dotAVX2(a, b *float32, n int) float32

func dotBlocks(a, b []float32) float32 {
	if len(a) == 0 {
		return 0
	}
	if avx2 {
		return dotAVX2(&a[0], &b[0], len(a))
	}
	return dotLanes(a, b)
}

// f16c reports whether dotHalfAVX2 can run: AVX2 and the half-precision
// conversions.
var f16c = avx2 && cpuHasF16C()

func cpuHasF16C() bool

// dotHalfAVX2 is dotHalfLanes in AVX2 and F16C for n a multiple of 32.
//
//go:noescape
func dotHalfAVX2(a *float32, b *uint16, n int) float32

func dotHalfBlocks(a []float32, b []uint16) float32 {
	if len(a) == 0 {
		return 0
	}
	if f16c {
		return dotHalfAVX2(&a[0], &b[0], len(a))
	}
	return dotHalfLanes(a, b)
}
