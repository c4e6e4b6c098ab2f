package kb

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/triagehq/triage"
)

// refundArticle is a knowledge-base article as an editor would write it.
const refundArticle = `# 如何申请退款

您好！如果您对收到的商品不满意，可以在订单签收后 **7 天内** 申请无理由退款。定制商品、生鲜食品和已激活的电子卡券不支持无理由退款，具体以商品详情页的说明为准。

## 申请步骤

1. 打开 App，进入「我的订单」，找到需要退款的订单；
2. 点击「申请售后」，选择「退货退款」或「仅退款」；
3. 填写退款原因并上传商品照片，提交后等待商家审核。

## 到账时间

| 支付方式 | 到账时间 |
|:--|:--|
| 微信支付 | 1-3 个工作日 |
| 银行卡 | 3-7 个工作日 |

审核通过后，退款会原路退回到您的支付账户。如超过上述时间仍未到账，请提供订单号联系[在线客服](https://help.example.com/contact)，我们会在 24 小时内为您核实处理。
`

func bodies(docs []triage.SearchDoc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Body
	}
	return out
}

func TestChunksArticle(t *testing.T) {
	a := &triage.Article{ID: "a1", Title: "退款说明", Body: refundArticle, Category: "售后"}
	docs := Chunks(a)
	want := []string{
		"如何申请退款\n您好！如果您对收到的商品不满意，可以在订单签收后 7 天内 申请无理由退款。定制商品、生鲜食品和已激活的电子卡券不支持无理由退款，具体以商品详情页的说明为准。",
		"申请步骤\n打开 App，进入「我的订单」，找到需要退款的订单；\n点击「申请售后」，选择「退货退款」或「仅退款」；\n填写退款原因并上传商品照片，提交后等待商家审核。",
		"到账时间\n支付方式 到账时间\n微信支付 1-3 个工作日\n银行卡 3-7 个工作日\n审核通过后，退款会原路退回到您的支付账户。如超过上述时间仍未到账，请提供订单号联系在线客服，我们会在 24 小时内为您核实处理。",
	}
	if got := bodies(docs); !slices.Equal(got, want) {
		t.Fatalf("chunks:\n%q\nwant:\n%q", got, want)
	}
	for i, d := range docs {
		wantID := "article:a1#" + string(rune('0'+i))
		if d.ID != wantID || d.Kind != triage.DocArticle || d.OwnerID != "a1" || d.Chunk != i || d.Title != "退款说明" || d.Category != "售后" {
			t.Errorf("chunk %d: %+v", i, d)
		}
	}
	if again := Chunks(a); !slices.Equal(again, docs) {
		t.Fatal("chunking the same article twice gave different chunks")
	}
}

func TestChunksEmptyBody(t *testing.T) {
	for _, body := range []string{"", "\n\n", "---", "<!-- 注释 -->"} {
		docs := Chunks(&triage.Article{ID: "q1", Title: "花呗怎么还款", Category: "花呗", Body: body})
		want := []triage.SearchDoc{{ID: "article:q1#0", Kind: triage.DocArticle, OwnerID: "q1", Chunk: 0, Title: "花呗怎么还款", Body: "", Category: "花呗"}}
		if !slices.Equal(docs, want) {
			t.Errorf("body %q: %+v", body, docs)
		}
	}
}

// sentence returns a Chinese sentence of n runes ending in end.
func sentence(n int, end string) string {
	words := []rune(strings.Repeat("退款审核通过后原路退回", n/11+1))
	return string(words[:n-utf8.RuneCountInString(end)]) + end
}

func TestChunkSizes(t *testing.T) {
	long := strings.Repeat(sentence(40, "。")+sentence(30, "！")+sentence(50, "？")+sentence(20, "；"), 6) // 840 runes
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, got []string)
	}{
		{"long paragraph splits at sentence ends into even pieces", long, func(t *testing.T, got []string) {
			if len(got) != 2 {
				t.Fatalf("%d chunks, want 2", len(got))
			}
			for _, c := range got {
				n := utf8.RuneCountInString(c)
				last, _ := utf8.DecodeLastRuneInString(c)
				if n > MaxChunkRunes || n < 300 || !strings.ContainsRune("。！？；", last) {
					t.Errorf("chunk of %d runes ending in %q", n, last)
				}
			}
			if strings.Join(got, "") != long {
				t.Error("the pieces do not join back to the paragraph")
			}
		}},
		{"a sentence longer than the maximum is cut at a comma", sentence(300, "，") + sentence(400, "。"), func(t *testing.T, got []string) {
			if len(got) != 2 || !strings.HasSuffix(got[0], "，") || !strings.HasSuffix(got[1], "。") {
				t.Fatalf("chunks %q", got)
			}
		}},
		{"a run without punctuation is cut at the maximum", sentence(1200, ""), func(t *testing.T, got []string) {
			if len(got) != 3 || utf8.RuneCountInString(got[0]) != MaxChunkRunes {
				t.Fatalf("%d chunks, first of %d runes", len(got), utf8.RuneCountInString(got[0]))
			}
		}},
		{"latin full stops end sentences only before a space", strings.Repeat("Refunds of 3.5 USD go to www.example.com first. ", 15), func(t *testing.T, got []string) {
			for _, c := range got {
				if !strings.HasSuffix(c, "first.") {
					t.Errorf("chunk ends %q", c[max(0, len(c)-20):])
				}
			}
		}},
		{"short paragraphs join the next", "您好！\n\n" + sentence(100, "。") + "\n\n祝您生活愉快。\n\n" + sentence(80, "。"), func(t *testing.T, got []string) {
			if len(got) != 2 || !strings.HasPrefix(got[0], "您好！\n") || !strings.HasPrefix(got[1], "祝您生活愉快。\n") {
				t.Fatalf("chunks %q", got)
			}
		}},
		{"a short last paragraph joins the one before", sentence(100, "。") + "\n\n" + sentence(100, "。") + "\n\n谢谢。", func(t *testing.T, got []string) {
			if len(got) != 2 || !strings.HasSuffix(got[1], "\n谢谢。") {
				t.Fatalf("chunks %q", got)
			}
		}},
		{"a heading without a paragraph joins what is before it", sentence(100, "。") + "\n\n## 附录", func(t *testing.T, got []string) {
			if len(got) != 1 || !strings.HasSuffix(got[0], "\n附录") {
				t.Fatalf("chunks %q", got)
			}
		}},
		{"consecutive headings stay with the paragraph", sentence(100, "。") + "\n\n# 第二章\n## 第一节\n" + sentence(100, "。"), func(t *testing.T, got []string) {
			if len(got) != 2 || !strings.HasPrefix(got[1], "第二章\n第一节\n") {
				t.Fatalf("chunks %q", got)
			}
		}},
		{"a heading splits paragraphs without a blank line", sentence(100, "。") + "\n## 第二节\n" + sentence(100, "。"), func(t *testing.T, got []string) {
			if len(got) != 2 || !strings.HasPrefix(got[1], "第二节\n") {
				t.Fatalf("chunks %q", got)
			}
		}},
		{"a fenced code block is not cut at its blank lines", sentence(100, "。") + "\n\n```\n" + strings.Repeat("config line\n\n", 10) + "```\n", func(t *testing.T, got []string) {
			if len(got) != 2 || strings.Count(got[1], "config line") != 10 {
				t.Fatalf("chunks %q", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := Chunks(&triage.Article{ID: "a", Title: "标题", Body: tt.body})
			tt.check(t, bodies(docs))
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"# 标题\n\n正文", "标题\n正文"},
		{"**加粗**、*斜体*、~~删除~~和 `代码`", "加粗、斜体、删除和 代码"},
		{"[在线客服](https://help.example.com) 或 <https://example.com/a>", "在线客服 或 https://example.com/a"},
		{"![退款流程图](flow.png \"流程\")", "退款流程图"},
		{"第一行中文\n第二行中文", "第一行中文第二行中文"},
		{"first line\nsecond line", "first line second line"},
		{"中文\nEnglish", "中文 English"},
		{"硬换行  \n下一行", "硬换行\n下一行"},
		{`\*不是强调\* \# 1 &amp; 2 &lt; 3 &#20320;`, "*不是强调* # 1 & 2 < 3 你"},
		{"- 一\n- 二\n  - 二点一\n\n> 引用\n> 续行", "一\n二\n二点一\n引用续行"},
		{"- [x] 已核对\n- [ ] 未联系", "已核对\n未联系"},
		{"<div class=\"tip\">提示：<b>先</b>登录 &amp; 实名</div>", "提示：先登录 & 实名"},
		{"正文<span style=\"color:red\">红色</span>结束", "正文红色结束"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "a b\n1 2"},
		{"    缩进代码\n    第二行", "缩进代码\n第二行"},
		{"[引用链接][1]\n\n[1]: https://example.com", "引用链接"},
		{"标题\n===\n\n正文", "标题\n正文"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func BenchmarkChunks(b *testing.B) {
	a := &triage.Article{ID: "a", Title: "退款说明", Body: strings.Repeat(refundArticle, 5)}
	for b.Loop() {
		Chunks(a)
	}
}
