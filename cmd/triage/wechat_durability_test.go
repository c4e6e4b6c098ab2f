package main

import (
	"context"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/triagehq/triage/wechat"
	"github.com/triagehq/triage/wechat/wechattest"
)

// TestKillMidWeChatSync queues 300 customers' messages at a fake 企业微信
// (pages of ten), lets the real binary read them, kills it with SIGKILL a
// third of the way and again two thirds of the way, restarts it on the
// same data and asks it to read again: every message is one ticket, none
// lost and none twice, because each page's tickets and the cursor after
// it commit together.
func TestKillMidWeChatSync(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	const n = 300
	fake := wechattest.New(wechattest.Options{Start: time.Now().Truncate(time.Second), PageSize: 10})
	t.Cleanup(fake.Close)
	kf := fake.AddAccount("耐久测试")
	for i := range n {
		if _, err := fake.Write(context.Background(), wechattest.Incoming{OpenKfID: kf, ExternalUserID: fmt.Sprintf("wm-durable-%04d", i),
			Type: wechat.MsgText, Text: fmt.Sprintf("微信耐久 %04d", i), Quiet: true}); err != nil {
			t.Fatal(err)
		}
	}
	bin := buildBinary(t)
	data := t.TempDir()
	cmd, url := startMailServer(t, bin, data, "--wechat-api", fake.URL)
	var ch struct {
		ID string `json:"id"`
	}
	body := fmt.Sprintf(`{"name":"耐久测试","corp_id":%q,"secret":%q,"token":%q,"encoding_aes_key":%q,"pause_seconds":0}`,
		fake.CorpID, fake.Secret, fake.Token, fake.EncodingAESKey)
	if code := apiJSON(t, "POST", url+"/v1/wechat/channels", body, &ch); code != 201 {
		t.Fatalf("create channel: %d", code)
	}
	sync := func() {
		if code := apiJSON(t, "POST", url+"/v1/wechat/channels/"+ch.ID+"/sync", "", nil); code != 202 {
			t.Fatalf("sync: %d", code)
		}
	}
	sync()
	client := &http.Client{Timeout: 30 * time.Second}
	kills := 0
	for _, at := range []int{n / 3, 2 * n / 3} {
		deadline := time.Now().Add(3 * time.Minute)
		for countTickets(t, client, url) < at {
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d tickets after 3 minutes", at)
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		kills++
		cmd, url = startMailServer(t, bin, data, "--wechat-api", fake.URL)
		t.Logf("killed with SIGKILL after %d or more tickets; %d found after the restart", at, countTickets(t, client, url))
		sync()
	}
	deadline := time.Now().Add(3 * time.Minute)
	for countTickets(t, client, url) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d tickets of %d after 3 minutes", countTickets(t, client, url), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // anything read twice would show now
	titles := listTitles(t, client, url)
	for i := range n {
		title := fmt.Sprintf("微信耐久 %04d", i)
		if len(titles[title]) != 1 {
			t.Errorf("%q stored %d times", title, len(titles[title]))
		}
	}
	if len(titles) != n {
		t.Errorf("%d distinct tickets, want %d", len(titles), n)
	}
	t.Logf("%d WeChat messages read across %d SIGKILLs: each one ticket, once", n, kills)
}
