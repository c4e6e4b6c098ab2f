package egress

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// raw is personal data in the forms the masker must catch.
var raw = []string{"13800138000", "138 0013 8000", "010-12345678", "11010519491231002x", "6222021234567890128", "zhangsan＠example.com"}

func recorder(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.ContentLength != int64(len(b)) {
			t.Errorf("Content-Length %d for a body of %d bytes", r.ContentLength, len(b))
		}
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), bodies...)
	}
}

func TestClientMasksBodies(t *testing.T) {
	ticket := "手机13800138000，也就是138 0013 8000；座机010-12345678；身份证11010519491231002x；卡6222021234567890128；邮箱zhangsan＠example.com；订单2024110812345678"
	tests := []struct {
		name, contentType, body string
		want                    []string // in the body as sent
	}{
		{"json", "application/json", `{"model":"m","input":["` + ticket + `","其他客户 13900139000"],"n":3,"f":1.5e3,"ok":true,"x":null,"nested":{"13800138000":[{"t":"` + ticket + `"}]}}`,
			[]string{`"model":"m"`, `"n":3`, `"f":1.5e3`, `"ok":true`, `"x":null`, "【手机号1】，也就是【手机号1】", "【电话1】", "【身份证号1】", "【银行卡号1】", "【邮箱1】", "订单2024110812345678", "其他客户 【手机号1】", `"【手机号1】":`}},
		{"json with charset", "application/json; charset=utf-8", `"` + ticket + `"`, []string{"【手机号1】"}},
		{"problem json", "application/problem+json", `{"detail":"` + ticket + `"}`, []string{"【手机号1】"}},
		{"text", "text/plain; charset=utf-8", ticket, []string{"手机【手机号1】"}},
		{"form", "application/x-www-form-urlencoded", "content=" + ticket + "&to=kefu", []string{"to=kefu"}},
	}
	srv, bodies := recorder(t)
	client := Client(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.Post(srv.URL, tt.contentType, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := bodies()
			sent := got[len(got)-1]
			if tt.name == "form" {
				sent = strings.NewReplacer("%E3%80%90", "【", "%E3%80%91", "】").Replace(sent)
			}
			for _, r := range raw {
				if strings.Contains(sent, r) {
					t.Errorf("sent %q, which contains %q", sent, r)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(sent, w) {
					t.Errorf("sent %q, which lacks %q", sent, w)
				}
			}
			if strings.Contains(tt.contentType, "json") && !json.Valid([]byte(sent)) {
				t.Errorf("sent invalid JSON %q", sent)
			}
		})
	}
}

func TestClientRefusesWhatItCannotMask(t *testing.T) {
	srv, bodies := recorder(t)
	client := Client(nil)
	for _, tt := range []struct{ contentType, body string }{
		{"application/octet-stream", "13800138000"},
		{"multipart/form-data; boundary=x", "--x\r\n\r\n13800138000\r\n--x--"},
		{"", "13800138000"},
		{"application/json", `{"a":"13800138000"`},
		{"application/json", `{"a":"13800138000"} {"b":1}`},
		{"application/json", `{"13800138000":1,"13900139000":2}`},
	} {
		t.Run(tt.contentType, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			_, err := client.Do(req)
			if !errors.Is(err, ErrUnmaskable) {
				t.Errorf("err = %v, want ErrUnmaskable", err)
			}
		})
	}
	if n := len(bodies()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	// No body at all goes through untouched.
	resp, err := client.Get(srv.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// replayer fails the first attempt and resends the body the way a
// retrying transport does, through GetBody.
type replayer struct{ sent []string }

func (r *replayer) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	r.sent = append(r.sent, string(b))
	if req.GetBody == nil {
		return nil, errors.New("no GetBody")
	}
	again, _ := req.GetBody()
	b, _ = io.ReadAll(again)
	r.sent = append(r.sent, string(b))
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func TestRetriesResendTheMaskedBody(t *testing.T) {
	rp := &replayer{}
	req, _ := http.NewRequest("POST", "http://example.invalid/", strings.NewReader(`{"input":"手机13800138000"}`))
	req.Header.Set("Content-Type", "application/json")
	if _, err := Transport(rp).RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	want := `{"input":"手机【手机号1】"}`
	if len(rp.sent) != 2 || rp.sent[0] != want || rp.sent[1] != want {
		t.Errorf("sent %q, want %q twice", rp.sent, want)
	}
}

func TestText(t *testing.T) {
	got := Strings(MaskAll([]string{"13800138000 和 13900139000", "13900139000", ""}))
	want := []string{"【手机号1】 和 【手机号2】", "【手机号1】", ""}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("text %d = %q, want %q", i, got[i], want[i])
		}
	}
	if (Text{}).String() != "" {
		t.Error("the zero Text is not empty")
	}
}

func FuzzMaskBody(f *testing.F) {
	f.Add(`{"a":["13800138000",1,{"b":"x@y.cn"}]}`)
	f.Add(`"010-12345678"`)
	f.Add(`[1e400, "\ud800"]`)
	f.Fuzz(func(t *testing.T, body string) {
		out, err := MaskBody("application/json", []byte(body))
		if err != nil {
			if !errors.Is(err, ErrUnmaskable) {
				t.Fatalf("error %v is not ErrUnmaskable", err)
			}
			return
		}
		if body == "" && len(out) == 0 {
			return // no body: nothing to mask
		}
		if !json.Valid(out) {
			t.Fatalf("MaskBody(%q) = %q: invalid JSON", body, out)
		}
		again, err := MaskBody("application/json", out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q then %q (%v)", out, again, err)
		}
	})
}

// TestRecipient: the one field WithRecipient names passes as is, at the
// top level and only with exactly the named value; the number elsewhere,
// another number in the field, or no recipient at all are masked.
func TestRecipient(t *testing.T) {
	const phone = "13812345678"
	body := `{"to":"13812345678","text":"验证码 402913 已发送至 13812345678","nested":{"to":"13812345678"}}`
	for _, c := range []struct {
		name, recipient, body string
		keep                  bool
	}{
		{"named", phone, body, true},
		{"not named", "", body, false},
		{"another number", "13900001111", body, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := MaskBodyTo("application/json", []byte(c.body), c.recipient)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(got, &m); err != nil {
				t.Fatal(err)
			}
			if (m["to"] == phone) != c.keep {
				t.Errorf("to = %v, keep %v", m["to"], c.keep)
			}
			if strings.Count(string(got), phone) > 1 || strings.Contains(m["text"].(string), phone) ||
				strings.Contains(fmt.Sprint(m["nested"]), phone) {
				t.Errorf("the number passed elsewhere: %s", got)
			}
		})
	}
	// Through the transport, by the request's context.
	srv, seen := recorder(t)
	req, _ := http.NewRequestWithContext(WithRecipient(context.Background(), phone), "POST", srv.URL, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := Client(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := seen(); len(got) != 1 || !strings.Contains(got[0], `"to":"13812345678"`) || strings.Count(got[0], phone) != 1 {
		t.Errorf("sent: %v", got)
	}
}
