package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUIShadowPromote: a candidate rule set runs in shadow; the models
// page shows its comparison (McNemar's test, accuracy of each) and an
// admin promotes it with one click; the API then has the trial promoted
// and the candidate's rule as the stored rule set.
func TestUIShadowPromote(t *testing.T) {
	u := startUI(t)
	u.waitReady()
	var sh struct {
		ID     string
		Status string
	}
	err := u.send("POST", "/v1/shadows", map[string]any{"kind": "category", "candidate_rules": []map[string]any{
		{"name": "影子规则·蓝牙", "any": []string{"蓝牙", "配对"}, "set_category": "设备使用与故障", "mode": "override"},
	}}, &sh)
	if err != nil || sh.ID == "" {
		t.Fatalf("start a shadow: %v", err)
	}
	// Two tickets; the first is closed, so the comparison has a row.
	for i, title := range []string{"手环蓝牙配对失败", "退款一直没到账"} {
		var tk struct {
			ID      string
			Version int
		}
		if err := u.send("POST", "/v1/tickets", map[string]any{"title": title, "body": "请处理", "requester": map[string]string{"name": "张先生"}}, &tk); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			continue
		}
		for _, body := range []map[string]any{{"status": "solved", "category": "设备使用与故障"}, {"status": "closed"}} {
			if err := u.send("PATCH", "/v1/tickets/"+tk.ID, body, &tk, fmt.Sprintf(`If-Match: "%d"`, tk.Version)); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := u.tab(t, 1366, 768)
	u.signIn(t, ctx)
	card := `.shadow-trial[data-shadow="` + sh.ID + `"]`
	step(t, ctx, "open the models page",
		chromedp.Navigate(u.url+"/app/admin/models?kind=category"),
		chromedp.WaitVisible(chromedp.CSS(card+` .shadow-promote`)))
	if s := text(t, ctx, card+" .shadow-test"); !strings.Contains(s, "McNemar") {
		t.Errorf("the trial card says %q; want McNemar's test", s)
	}
	if s := text(t, ctx, card+" .muted"); !strings.Contains(s, "已预测 2 张工单，其中 1 张已关闭并计分") {
		t.Errorf("the trial card counts %q; want 2 tickets predicted, 1 scored", s)
	}
	u.shot(t, ctx, "admin-shadow-1366")
	phone := u.tab(t, 390, 844)
	u.signIn(t, phone)
	step(t, phone, "the models page on a phone",
		chromedp.Navigate(u.url+"/app/admin/models?kind=category"),
		chromedp.WaitVisible(chromedp.CSS(card+` .shadow-promote`)))
	u.shot(t, phone, "admin-shadow-390")
	step(t, ctx, "promote",
		chromedp.Click(chromedp.CSS(card+` .shadow-promote`)),
		modalOK,
		chromedp.WaitNotPresent(chromedp.CSS(card)))

	// Through the API: the trial is promoted, by whom and when, and the
	// candidate's rule is the stored rule set.
	var got struct {
		Shadow struct {
			Status  string `json:"status"`
			EndedBy string `json:"ended_by"`
		} `json:"shadow"`
		Predictions int `json:"predictions"`
	}
	if err := u.api("GET", "/v1/shadows/"+sh.ID, &got); err != nil || got.Shadow.Status != "promoted" || got.Shadow.EndedBy == "" || got.Predictions != 2 {
		t.Fatalf("the trial after the click: %+v %v", got, err)
	}
	var rules struct{ Items []struct{ Name string } }
	if err := u.api("GET", "/v1/rules", &rules); err != nil || len(rules.Items) != 1 || rules.Items[0].Name != "影子规则·蓝牙" {
		t.Fatalf("rules after promote: %+v %v", rules, err)
	}
	if errs := u.errors(); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
