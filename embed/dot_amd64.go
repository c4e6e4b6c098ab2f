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
