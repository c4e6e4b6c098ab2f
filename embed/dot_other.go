//go:build !amd64

package embed

func dotBlocks(a, b []float32) float32 { return dotLanes(a, b) }

func dotHalfBlocks(a []float32, b []uint16) float32 { return dotHalfLanes(a, b) }
