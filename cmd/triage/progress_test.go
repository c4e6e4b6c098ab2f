package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestProgressOnlyOnATerminal draws bars into a pipe, a file, /dev/null
// (a character device, but no terminal) and a pseudo-terminal: only the
// terminal gets them, whatever stdout is.
func TestProgressOnlyOnATerminal(t *testing.T) {
	draw := func(bar func(string, int, int)) {
		for i := range 50 {
			bar("index", i+1, 50)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, f := range map[string]*os.File{"pipe": w, "file": file, "/dev/null": null} {
		if isTerminal(f) {
			t.Errorf("%s is taken for a terminal", name)
		}
		draw(progress(f))
	}
	w.Close()
	if b, _ := readAll(r); len(b) > 0 {
		t.Errorf("bars went into a pipe: %q", b)
	}
	if fi, _ := file.Stat(); fi.Size() > 0 {
		t.Errorf("bars went into a file: %d bytes", fi.Size())
	}

	master, slave := openPTY(t)
	if !isTerminal(slave) {
		t.Fatal("a pseudo-terminal is not taken for a terminal")
	}
	draw(progress(slave))
	_ = master.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, _ := master.Read(buf)
	if n == 0 {
		t.Error("no bar on a terminal")
	}
}

func readAll(f *os.File) ([]byte, error) {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := f.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, nil
		}
	}
}

// openPTY opens a pseudo-terminal pair through /dev/ptmx, skipping when
// the system has none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	t.Cleanup(func() { master.Close() })
	var unlock int32
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlockpt: %v", e)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the terminal: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}
