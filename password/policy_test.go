package password

import (
	"errors"
	"strings"
	"testing"

	"github.com/triagehq/triage"
)

func TestPolicy(t *testing.T) {
	const email = "zhang.wei@example.cn"
	for _, tc := range []struct {
		name, password string
		names          []string
		want           string // "" for accepted, else a word of the message
	}{
		{"passphrase", "长城万里 green tea 2026", nil, ""},
		{"chinese passphrase", "我家的猫叫小白今年三岁", nil, ""},
		{"random", "Tq7#mV2p!xL9", nil, ""},
		{"too short", "Tq7#mV2p", nil, "at least 10"},
		{"too short in runes", "密码密码密码密码", nil, "at least 10"},
		{"empty", "", nil, "at least 10"},
		{"spaces", strings.Repeat(" ", 12), nil, "spaces"},
		{"NUL", "abcdefghijk\x00", nil, "NUL"},
		{"invalid utf-8", "abcdefghijk\xff", nil, "valid text"},
		{"too long", strings.Repeat("ab", MaxLength), nil, "at most"},
		{"the e-mail", email, nil, "e-mail"},
		{"the e-mail upper", strings.ToUpper(email), nil, "e-mail"},
		{"contains local part", "zhang.wei2026!", nil, "e-mail"},
		{"the name", "Zhang Wei Wei", []string{"zhangweiwei"}, "name"},
		{"contains chinese name", "张伟伟的密码呀好的呢", []string{"张伟伟的密"}, "name"},
		{"1234567890", "1234567890", nil, "common"},
		{"woaini1314", "woaini1314", nil, "common"},
		{"WoAiNi1314 spaced", "Wo Ai Ni 1314", nil, "common"},
		{"qq123456789", "qq123456789", nil, "common"},
		{"a123456789", "a123456789", nil, "common"},
		{"a123456 with suffix", "a1234560000", nil, "common"},
		{"woaini with digits", "woaini5201314", nil, "common"},
		{"password!!", "password!!!", nil, "common"},
		{"1qaz2wsx3edc", "1qaz2wsx3edc", nil, "common"},
		{"repeated char", "aaaaaaaaaaaa", nil, "repeated"},
		{"repeated unit", "abcabcabcabc", nil, "repeated"},
		{"5201314 twice", "52013145201314", nil, "common"},
		{"sequence", "abcdefghijkl", nil, "sequential"},
		{"descending", "9876543210", nil, "common"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Policy{}.Check(tc.password, email, tc.names...)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *triage.Error
			if !errors.As(err, &e) || e.Code != triage.EINVALID || e.Field != "password" {
				t.Fatalf("Check = %v, want EINVALID on field password", err)
			}
			if !strings.Contains(e.Message, tc.want) {
				t.Fatalf("message %q does not say %q", e.Message, tc.want)
			}
			if len(tc.password) >= 6 && strings.Contains(e.Message, tc.password) {
				t.Fatalf("message %q repeats the password", e.Message)
			}
		})
	}
}

func TestPolicyOptions(t *testing.T) {
	p := Policy{MinLength: 6, Field: "new_password"}
	err := p.Check("123456", "")
	var e *triage.Error
	if !errors.As(err, &e) || e.Field != "new_password" || !strings.Contains(e.Message, "common") {
		t.Fatalf("Check(123456) with min 6 = %v", err)
	}
	if err := p.Check("风和日丽好天气", ""); err != nil {
		t.Fatalf("a seven-character Chinese password under min 6: %v", err)
	}
	for _, pw := range []string{"a123456", "qq123456", "woaini1314", "123456"} {
		if err := p.Check(pw, ""); !triage.IsCode(err, triage.EINVALID) {
			t.Errorf("Check(%q) accepted a Chinese favourite", pw)
		}
	}
}
