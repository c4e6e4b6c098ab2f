package main

import (
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
)

// isTerminal reports whether w is a terminal, the only place a progress bar
// belongs: in a pipe or a CI log it is noise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress returns a callback that draws one bar per stage on stderr when
// stdout is a terminal, and does nothing otherwise.
func progress(stdout, stderr io.Writer) func(stage string, done, total int) {
	if !isTerminal(stdout) {
		return func(string, int, int) {}
	}
	var mu sync.Mutex
	var bar *progressbar.ProgressBar
	current := ""
	return func(stage string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if stage != current || bar == nil {
			if bar != nil {
				_ = bar.Finish()
			}
			current = stage
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription(stage),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionClearOnFinish(),
			)
		}
		if bar.GetMax() != total {
			bar.ChangeMax(total)
		}
		_ = bar.Set(done)
	}
}
