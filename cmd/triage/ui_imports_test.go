package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUIShadowStart: an admin starts a shadow trial from the models page
// (the stored rules plus one new rule as the candidate rule set), sees its
// card, and discards it; the API has the trial with the candidate, then
// discarded by the admin. The page at 1366x768 and 390x844.
func TestUIShadowStart(t *testing.T) {
	u := startUI(t)
	var rules struct{ Items []struct{ Name string } }
	if err := u.api("GET", "/v1/rules", &rules); err != nil {
		t.Fatal(err)
	}
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	step(t, ctx, "open the models page",
		chromedp.Navigate(u.url+"/app/admin/models?kind=category"),
		chromedp.WaitVisible(chromedp.ID("shadow-start-form")))
	u.shot(t, ctx, "admin-shadow-start-1366")
	// The model's sources in Chinese, not the trainer's "store (N closed
	// tickets)".
	step(t, ctx, "the model list", chromedp.WaitVisible(chromedp.CSS(`.model-sources`)))
	if src := text(t, ctx, `.model-sources`); !strings.HasPrefix(src, "工单库（") || strings.Contains(src, "closed tickets") {
		t.Errorf("the model's sources read %q", src)
	}
	jsEval[bool](t, ctx, `(() => { const s = document.getElementById('shadow-what'); s.value = 'rules'; s.dispatchEvent(new Event('change')); return true; })()`)
	step(t, ctx, "fill in the candidate rule and start",
		chromedp.WaitVisible(chromedp.ID("shadow-rule-name")),
		chromedp.SendKeys(chromedp.ID("shadow-rule-name"), "影子规则·蓝牙配对"),
		chromedp.SendKeys(chromedp.ID("shadow-rule-any"), "蓝牙，配对"),
		chromedp.SetValue(chromedp.ID("shadow-rule-value"), "设备使用与故障"),
		chromedp.Click(chromedp.ID("shadow-start")),
		chromedp.WaitVisible(chromedp.CSS(`.shadow-trial .shadow-discard`)))
	type shadow struct {
		ID, Kind, Status string
		EndedBy          string `json:"ended_by"`
		CandidateRules   []struct {
			Name        string
			Any         []string
			SetCategory string `json:"set_category"`
		} `json:"candidate_rules"`
	}
	var list struct{ Items []shadow }
	if err := u.api("GET", "/v1/shadows", &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Status != "running" || list.Items[0].Kind != "category" {
		t.Fatalf("trials after the click: %+v", list.Items)
	}
	sh := list.Items[0]
	if n := len(sh.CandidateRules); n != len(rules.Items)+1 {
		t.Fatalf("the candidate has %d rules; want the %d stored ones and the new one", n, len(rules.Items))
	}
	last := sh.CandidateRules[len(sh.CandidateRules)-1]
	if last.Name != "影子规则·蓝牙配对" || !slices.Equal(last.Any, []string{"蓝牙", "配对"}) || last.SetCategory != "设备使用与故障" {
		t.Fatalf("the new rule in the candidate: %+v", last)
	}
	for i, r := range rules.Items {
		if sh.CandidateRules[i].Name != r.Name {
			t.Fatalf("candidate rule %d is %q, want the stored %q in order", i, sh.CandidateRules[i].Name, r.Name)
		}
	}
	u.shot(t, ctx, "admin-shadow-running-1366")
	phone := u.tab(t, 390, 844)
	u.signIn(t, phone)
	step(t, phone, "the models page on a phone",
		chromedp.Navigate(u.url+"/app/admin/models?kind=category"),
		chromedp.WaitVisible(chromedp.CSS(`.shadow-trial .shadow-discard`)))
	u.shot(t, phone, "admin-shadow-running-390")
	step(t, ctx, "discard it",
		chromedp.Click(chromedp.CSS(`.shadow-trial .shadow-discard`)),
		modalOK,
		chromedp.WaitVisible(chromedp.ID("shadow-start-form")))
	var got struct{ Shadow shadow }
	if err := u.api("GET", "/v1/shadows/"+sh.ID, &got); err != nil || got.Shadow.Status != "discarded" || got.Shadow.EndedBy == "" {
		t.Fatalf("the trial after discarding: %+v %v", got, err)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}

// TestUIImport: an admin imports the Zendesk sample export on the 导入历史
// page and sees the summary (the deleted ticket skipped, with its line);
// the tickets are then in the API, and importing the same file again finds
// every one already there. A generic CSV with its mapping file shows its
// skipped lines, which are the lines the API names for the same file.
// The page at 1366x768 and 390x844.
func TestUIImport(t *testing.T) {
	u := startUI(t)
	testdata := filepath.Join("..", "..", "importer", "testdata")
	abs := func(name string) string {
		p, err := filepath.Abs(filepath.Join(testdata, name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	step(t, ctx, "open the import page",
		chromedp.Navigate(u.url+"/app/admin/imports"),
		chromedp.WaitVisible(chromedp.ID("import-form")))
	u.shot(t, ctx, "admin-imports-1366")
	importFile := func(format, file, mapping string) {
		t.Helper()
		jsEval[bool](t, ctx, `(() => { const s = document.getElementById('imp-format'); s.value = `+jsString(format)+`; s.dispatchEvent(new Event('change')); const r = document.getElementById('import-result'); r.replaceChildren(); return true; })()`)
		actions := []chromedp.Action[chromedp.Void]{chromedp.SetUploadFiles(chromedp.ID("imp-file"), []string{file})}
		if mapping != "" {
			actions = append(actions, chromedp.SetUploadFiles(chromedp.ID("imp-mapping"), []string{mapping}))
		}
		actions = append(actions, chromedp.Click(chromedp.ID("imp-start")), chromedp.WaitVisible(chromedp.ID("import-summary")))
		step(t, ctx, "import "+filepath.Base(file), actions...)
	}
	num := func(sel string) int {
		t.Helper()
		n, err := strconv.Atoi(strings.TrimSpace(text(t, ctx, sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return n
	}

	importFile("zendesk", abs("zendesk_incremental.json"), "")
	imported := num(".imp-imported")
	if imported == 0 || num(".imp-skipped-count") != 1 {
		t.Fatalf("the Zendesk summary: %q", text(t, ctx, "#import-summary"))
	}
	if sum := text(t, ctx, "#import-summary"); !strings.Contains(sum, "类别、优先级") || strings.Contains(sum, "retrain.") {
		t.Errorf("the summary names the queued training as %q; want the models in Chinese", sum)
	}
	if row := text(t, ctx, ".imp-skipped tbody tr"); !strings.Contains(row, "原系统已删除") {
		t.Errorf("the skipped line reads %q; want the reason in Chinese", row)
	}
	u.shot(t, ctx, "admin-imports-summary-1366")
	var tickets struct{ Items []struct{ Title string } }
	if err := u.api("GET", "/v1/tickets?requester=wang.fang@example.com", &tickets); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(tickets.Items, func(x struct{ Title string }) bool { return strings.Contains(x.Title, "SO20261101001") }) {
		t.Fatalf("the imported requester's tickets: %+v", tickets.Items)
	}
	// The same file again, through the API: every ticket already there.
	data, err := os.ReadFile(abs("zendesk_incremental.json"))
	if err != nil {
		t.Fatal(err)
	}
	var again struct {
		Summary struct {
			Imported int
			Already  int `json:"already_imported"`
			Skipped  []struct{ Line int }
		}
	}
	if err := u.send("POST", "/v1/imports", map[string]any{"format": "zendesk", "data": string(data), "train": false}, &again); err != nil {
		t.Fatal(err)
	}
	if again.Summary.Imported != 0 || again.Summary.Already != imported {
		t.Fatalf("the same file again: %+v; want %d already imported", again.Summary, imported)
	}

	importFile("csv", abs("generic.csv"), abs("generic_mapping.json"))
	var shown []string
	for _, row := range strings.Split(text(t, ctx, ".imp-skipped tbody"), "\n") {
		if f := strings.Fields(row); len(f) > 0 {
			shown = append(shown, f[0])
		}
	}
	csv, err := os.ReadFile(abs("generic.csv"))
	if err != nil {
		t.Fatal(err)
	}
	mapping, err := os.ReadFile(abs("generic_mapping.json"))
	if err != nil {
		t.Fatal(err)
	}
	var viaAPI struct {
		Summary struct {
			Skipped []struct{ Line int }
		}
	}
	if err := u.send("POST", "/v1/imports", map[string]any{"format": "csv", "data": string(csv), "mapping": json.RawMessage(mapping), "train": false}, &viaAPI); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range viaAPI.Summary.Skipped {
		want = append(want, fmt.Sprint(s.Line))
	}
	if len(want) == 0 || !slices.Equal(shown, want) {
		t.Fatalf("skipped lines on the page %v, through the API %v", shown, want)
	}
	phone := u.tab(t, 390, 844)
	u.signIn(t, phone)
	step(t, phone, "the import page on a phone",
		chromedp.Navigate(u.url+"/app/admin/imports"),
		chromedp.WaitVisible(chromedp.ID("import-form")))
	u.shot(t, phone, "admin-imports-390")
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
