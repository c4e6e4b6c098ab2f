package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMacrosCLI: `triage macros import` creates macros from JSON Lines,
// `triage macros export` writes them back, a second import of the export
// changes nothing, an edited line is a new version, and a bad line is
// refused with its number.
func TestMacrosCLI(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	src := filepath.Join(dir, "in.jsonl")
	lines := `{"title":"退款到账时间","body":"{{requester.name}}您好，退款一般1-3个工作日原路退回。","actions":{"status":"pending","add_tags":["退款说明"]}}
{"title":"催发货","body":"您好，已帮您催促仓库尽快发货。","scope":"everyone"}
`
	if err := os.WriteFile(src, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut syncBuffer
		code := run(context.Background(), append(args[:len(args):len(args)], "--data", data), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := cli("macros", "import", src); code != 0 || !strings.Contains(out, "2 lines, 2 macros created, 0 updated, 0 unchanged") {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	code, exported, errOut := cli("macros", "export")
	if code != 0 || strings.Count(exported, "\n") != 2 {
		t.Fatalf("export: exit %d, %q %q", code, exported, errOut)
	}
	back := filepath.Join(dir, "export.jsonl")
	if code, _, errOut := cli("macros", "export", "-o", back); code != 0 || !strings.Contains(errOut, "2 macros written") {
		t.Fatalf("export -o: exit %d, %q", code, errOut)
	}
	if code, out, _ := cli("macros", "import", back); code != 0 || !strings.Contains(out, "0 created, 0 updated, 2 unchanged") && !strings.Contains(out, "0 macros created, 0 updated, 2 unchanged") {
		t.Fatalf("re-import of the export: exit %d, %q", code, out)
	}
	// An edited line is a new version of the same macro.
	first := strings.SplitN(exported, "\n", 2)[0]
	var m map[string]any
	if err := json.Unmarshal([]byte(first), &m); err != nil {
		t.Fatal(err)
	}
	m["body"] = m["body"].(string) + "如有疑问请随时联系。"
	edited, _ := json.Marshal(m)
	one := filepath.Join(dir, "one.jsonl")
	os.WriteFile(one, append(edited, '\n'), 0o644)
	if code, out, _ := cli("macros", "import", one); code != 0 || !strings.Contains(out, "0 macros created, 1 updated") {
		t.Fatalf("import of an edited line: exit %d, %q", code, out)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(lines+`{"title":"错","body":"您好 {{customer.name}}"}`+"\n"), 0o644)
	if code, _, errOut := cli("macros", "import", bad); code != 2 || !strings.Contains(errOut, "3") {
		t.Fatalf("bad line: exit %d, %q", code, errOut)
	}
	if code, _, errOut := cli("macros", "import", filepath.Join(dir, "missing.jsonl")); code != 2 || !strings.Contains(errOut, "missing.jsonl") {
		t.Fatalf("missing file: exit %d, %q", code, errOut)
	}
}
