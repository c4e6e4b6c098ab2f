package segment

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"full-width digits", "订单１２３４５", "订单12345"},
		{"full-width letters lower-cased", "ＩＰｈｏｎｅ１５", "iphone15"},
		{"full-width punctuation", "退款！？（急）：％＠＃", "退款!?(急):%@#"},
		{"full-width comma and semicolon", "你好，在吗；", "你好,在吗;"},
		{"CJK punctuation without a half-width form stays", "好的。收到、谢谢", "好的。收到、谢谢"},
		{"ideographic space", "退款\u3000\u3000进度", "退款 进度"},
		{"full-width yen", "￥９９", "¥99"},
		{"traditional characters", "臺灣颱風", "台湾台风"},
		{"traditional characters 後來", "後來怎麼樣了", "后来怎么样了"},
		{"traditional sentence", "請問發票什麼時候寄出？", "请问发票什么时候寄出?"},
		{"phrase wins over characters", "一目瞭然", "一目了然"},
		{"phrase keeps 乾 in 乾隆", "乾隆年間", "乾隆年间"},
		{"character 乾 alone", "乾淨", "干净"},
		{"phrase 乾乾淨淨", "乾乾淨淨", "干干净净"},
		{"simplified text is left alone", "我的快递还没到", "我的快递还没到"},
		{"mixed Latin case", "Apple ID 登录 FAILED", "apple id 登录 failed"},
		{"non-ASCII letters lower-cased", "ÀÉÎ Straße ΑΒΓ", "àéî straße αβγ"},
		{"whitespace runs collapse", "  退款 \t\n 进度\r\n查询  ", "退款 进度 查询"},
		{"no-break and thin spaces", "a\u00a0\u2009b", "a b"},
		{"control characters dropped", "退\x00款\x07进\x1b度\x7f", "退款进度"},
		{"zero-width and BOM dropped without a space", "\ufeff手\u200b机号", "手机号"},
		{"invalid UTF-8 dropped", "退款\xff\xfe进度\xc3", "退款进度"},
		{"only whitespace", " \t\u3000\n", ""},
		{"only controls", "\x00\x01", ""},
		{"newline between Chinese sentences", "第一句\n第二句", "第一句 第二句"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("not idempotent: Normalize(%q) = %q", got, again)
			}
		})
	}
}

// The conversion tables themselves are the likeliest source of a
// non-idempotent result: a phrase's simplified form may contain a character
// the character table would change again.
func TestNormalizeIdempotentOverTables(t *testing.T) {
	var checked int
	for _, table := range []string{tsCharacters, tsPhrases} {
		for from, to := range tableLines(table) {
			for _, x := range []string{from, to, from + from, to + from, "A" + from + " " + to + "!"} {
				once := Normalize(x)
				if twice := Normalize(once); twice != once {
					t.Errorf("Normalize(%q) = %q but Normalize of that = %q", x, once, twice)
				}
				checked++
			}
		}
	}
	if checked < 20000 {
		t.Fatalf("checked only %d strings; are the tables embedded?", checked)
	}
}

// OpenCC's output never contains what clean would change (upper case,
// full-width, spaces), so converting after cleaning keeps the clean result
// clean.
func TestConversionOutputIsClean(t *testing.T) {
	for _, table := range []string{tsCharacters, tsPhrases} {
		for _, to := range tableLines(table) {
			if clean(to) != to {
				t.Errorf("clean changes the table target %q", to)
			}
		}
	}
}

func TestNormalizeIdempotentOverCorpus(t *testing.T) {
	docs := benchCorpus(t)
	for _, d := range docs {
		once := Normalize(d)
		if twice := Normalize(once); twice != once {
			t.Fatalf("not idempotent on %q:\n once %q\ntwice %q", d, once, twice)
		}
		if !utf8.ValidString(once) {
			t.Fatalf("invalid UTF-8 from %q", d)
		}
	}
}

func TestChainedCharactersResolved(t *testing.T) {
	// OpenCC maps 薴 → 苧 and 苧 → 苎; one Normalize must reach 苎.
	if got := Normalize("薴"); got != "苎" {
		t.Fatalf("Normalize(薴) = %q, want 苎", got)
	}
	if got := Normalize(strings.Repeat("後", 3)); got != "后后后" {
		t.Fatalf("Normalize(後後後) = %q", got)
	}
}
