package main

import (
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal, the only place a progress bar
// belongs: in a pipe, a file or a CI log it is noise. A character device is
// not enough (/dev/null is one); the terminal ioctl decides.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}

// progress returns a callback that draws one bar per stage on stderr when
// stderr is a terminal, and does nothing otherwise: where the bars go is
// what decides, whatever stdout is (a report piped on, or /dev/null).
func progress(stderr io.Writer) func(stage string, done, total int) {
	if !isTerminal(stderr) {
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
