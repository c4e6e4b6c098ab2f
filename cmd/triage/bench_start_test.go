package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStart measures a cold start as a person runs it, `triage serve
// --demo`, exec'ing the built binary: the time from exec to the first 200 of
// /readyz, the CPU the process spent by then (user + system, which a busy
// machine distorts less than the wall clock), and its resident memory
// (VmRSS) once it has settled. "fresh" starts on an empty data directory,
// loading the demo data; "existing" restarts on one that a first start
// filled. Each figure is the median over the iterations:
//
//	make bench-start                      # TRIAGE_BIN=bin/triage, 5 starts each
//	TRIAGE_BIN=bin/triage go test -run '^$' -bench BenchmarkStart -benchtime 5x ./cmd/triage
//
// Without TRIAGE_BIN it builds the binary first. The memory is read once
// the process is idle, when it has used under 5% of a core for two seconds
// (an idle server polls its job queue and change log, a few per cent on a
// busy machine):
// after ready the demo's background work (embedding, indexing, the jobs
// that follow the demo tickets) still runs. TRIAGE_BENCH_SETTLE (a
// duration, default 2m) bounds that wait; s-to-idle is how long it took.
func BenchmarkStart(b *testing.B) {
	bin := os.Getenv("TRIAGE_BIN")
	if bin == "" {
		bin = buildBinary(b)
	}
	settle := 2 * time.Minute
	if s := os.Getenv("TRIAGE_BENCH_SETTLE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatalf("TRIAGE_BENCH_SETTLE: %v", err)
		}
		settle = d
	}
	b.Run("fresh", func(b *testing.B) {
		var runs []startRun
		for b.Loop() {
			runs = append(runs, coldStart(b, bin, b.TempDir(), settle))
		}
		reportStarts(b, runs)
	})
	b.Run("existing", func(b *testing.B) {
		dir := b.TempDir()
		coldStart(b, bin, dir, settle)
		var runs []startRun
		for b.Loop() {
			runs = append(runs, coldStart(b, bin, dir, settle))
		}
		reportStarts(b, runs)
	})
}

// startRun is what one start measured.
type startRun struct {
	ready, cpu   time.Duration
	idle         time.Duration // from ready until idle
	rss, peakRSS float64       // MiB
}

// coldStart runs `triage serve --demo` on dir until it is ready and has
// settled, then stops it with SIGTERM, as Ctrl-C does.
func coldStart(b *testing.B, bin, dir string, settle time.Duration) startRun {
	b.Helper()
	cmd := exec.Command(bin, "serve", "--demo", "--addr", "127.0.0.1:0", "--data", dir, "--log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	var url string
	select {
	case url = <-urls:
	case <-time.After(2 * time.Minute):
		b.Fatal("the server printed no address in 2 minutes")
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(began) > 2*time.Minute {
			b.Fatalf("/readyz not 200 in 2 minutes: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	run := startRun{ready: time.Since(began), cpu: procCPU(b, cmd.Process.Pid)}
	run.idle = waitIdle(b, cmd.Process.Pid, settle)
	run.rss, run.peakRSS = rss(b, cmd.Process.Pid)
	return run
}

// waitIdle waits until pid has used under 100 ms of CPU in the last two
// seconds, or max has passed, and returns how long it waited.
func waitIdle(b *testing.B, pid int, max time.Duration) time.Duration {
	began := time.Now()
	const window, step = 2 * time.Second, 250 * time.Millisecond
	var samples []time.Duration // CPU time every step
	for time.Since(began) < max {
		samples = append(samples, procCPU(b, pid))
		if n := int(window / step); len(samples) > n && samples[len(samples)-1]-samples[len(samples)-1-n] < 100*time.Millisecond {
			break
		}
		time.Sleep(step)
	}
	return time.Since(began)
}

// procCPU is the user and system time pid has used, from /proc/PID/stat
// (fields 14 and 15, in clock ticks of 1/100 s on Linux).
func procCPU(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name, in parentheses, may hold spaces: count after it.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// rss reads VmRSS and VmHWM (the peak) of pid in MiB.
func rss(b *testing.B, pid int) (now, peak float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		k, v, _ := strings.Cut(line, ":")
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch {
		case err != nil:
		case k == "VmRSS":
			now = kb / 1024
		case k == "VmHWM":
			peak = kb / 1024
		}
	}
	if now == 0 {
		b.Fatalf("no VmRSS in /proc/%d/status", pid)
	}
	return now, peak
}

// reportStarts reports the medians of runs.
func reportStarts(b *testing.B, runs []startRun) {
	median := func(f func(startRun) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if n := len(v); n%2 == 0 {
			return (v[n/2-1] + v[n/2]) / 2
		}
		return v[len(v)/2]
	}
	b.ReportMetric(0, "ns/op") // the wall time per op includes the settling
	b.ReportMetric(median(func(r startRun) float64 { return float64(r.ready.Milliseconds()) }), "ms-to-ready")
	b.ReportMetric(median(func(r startRun) float64 { return float64(r.cpu.Milliseconds()) }), "cpu-ms-to-ready")
	b.ReportMetric(median(func(r startRun) float64 { return r.rss }), "MiB-idle-RSS")
	b.ReportMetric(median(func(r startRun) float64 { return r.peakRSS }), "MiB-peak-RSS")
	b.ReportMetric(median(func(r startRun) float64 { return r.idle.Seconds() }), "s-to-idle")
	for i, r := range runs {
		b.Logf("start %d: ready in %v, %v CPU, idle after %v more with RSS %.0f MiB, peak %.0f MiB", i+1, r.ready.Round(time.Millisecond), r.cpu, r.idle.Round(time.Millisecond), r.rss, r.peakRSS)
	}
}
