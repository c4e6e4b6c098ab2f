//go:build !amd64

package embed

func dotBlocks(a, b []float32) float32 { return dotLanes(a, b) }
