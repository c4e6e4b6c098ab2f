package wechat_test

import (
	"fmt"
	"testing"

	"github.com/triagehq/triage/wechat"
	"github.com/triagehq/triage/wechat/wechattest"
)

// TestCustomersNicknames: kf/customer/batchget gives known customers'
// nicknames, leaves unknown ids out, and is called in lists of at most
// 100.
func TestCustomersNicknames(t *testing.T) {
	fake, c, kf := setup(t, wechattest.Options{})
	ctx := t.Context()
	fake.Text(ctx, kf, "wm-known", "你好")
	fake.SetNickname("wm-known", "小王")
	ids := []string{"wm-known", "wm-nobody"}
	for i := range 150 {
		ids = append(ids, fmt.Sprintf("wm-x%03d", i))
	}
	got, err := c.Customers(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ExternalUserID != "wm-known" || got[0].Nickname != "小王" {
		t.Fatalf("Customers = %+v", got)
	}
	if n := fake.Calls("kf/customer/batchget"); n != 2 {
		t.Fatalf("%d calls for %d ids, want 2 (100 at most each)", n, len(ids))
	}
	if _, err := c.Customers(ctx, []string{""}); err == nil {
		t.Fatal("an empty id was sent")
	}
	fake.FailNext("kf/customer/batchget", 1, wechat.CodeInvalidParameter, 200)
	if _, err := c.Customers(ctx, []string{"wm-known"}); err == nil {
		t.Fatal("an error of 企业微信 was not returned")
	}
}
