package egress

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

type ticketLike struct {
	Title string
	Phone string
}

type stringer struct{}

func (stringer) String() string { return "卡号6222021234567890128" }

func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil))).With("requester", "13800138000")
	log.WithGroup("g").Info("客户13900139000来电",
		"email", "zhangsan＠example.com",
		"err", errors.New("身份证11010519491231002x 无效"),
		"ticket", ticketLike{Title: "退款", Phone: "138 0013 8000"},
		"card", stringer{},
		slog.Group("inner", "landline", "010-12345678", "n", 42),
		"order", "2024110812345678", "ms", 1.5)
	out := buf.String()
	for _, raw := range []string{"13800138000", "13900139000", "zhangsan", "11010519491231002x", "138 0013 8000", "6222021234567890128", "010-12345678"} {
		if strings.Contains(out, raw) {
			t.Errorf("the log has %q: %s", raw, out)
		}
	}
	for _, want := range []string{"【手机号1】", "【邮箱1】", "【身份证号1】", "【银行卡号1】", "【电话1】", `"order":"2024110812345678"`, `"n":42`, `"ms":1.5`, `"Title":"退款"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s: %s", want, out)
		}
	}
}
