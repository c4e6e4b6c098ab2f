package kb

import (
	"strings"
	"sync"
	"testing"
)

func TestRender(t *testing.T) {
	r := NewRenderer()
	tests := []struct {
		name    string
		in      string
		want    []string // substrings the HTML must hold
		notWant []string // and must not
	}{
		{
			name: "chinese headings and lists",
			in:   "# 退款流程\n\n申请退款前请确认：\n\n1. 订单已签收\n2. 商品未使用\n\n- 退款\n- 换货\n",
			want: []string{"<h1>退款流程</h1>", "<p>申请退款前请确认：</p>", "<ol>", "<li>订单已签收</li>", "<li>商品未使用</li>", "<ul>", "<li>换货</li>"},
		},
		{
			name: "table with alignment",
			in:   "| 方式 | 到账时间 |\n|:--|--:|\n| 原路退回 | 1-3 个工作日 |\n",
			want: []string{"<table>", `<th align="left">方式</th>`, `<td align="right">1-3 个工作日</td>`},
		},
		{
			name: "emphasis, strikethrough and code",
			in:   "**重要**：~~七天~~十五天内有效，代码 `REFUND-01`。",
			want: []string{"<strong>重要</strong>", "<del>七天</del>", "<code>REFUND-01</code>"},
		},
		{
			name: "chinese soft line breaks vanish",
			in:   "第一行中文\n第二行中文",
			want: []string{"<p>第一行中文第二行中文</p>"},
		},
		{
			name: "task list",
			in:   "- [x] 已核对订单\n- [ ] 已联系物流\n",
			want: []string{`<input checked="" disabled="" type="checkbox">`, "已联系物流"},
		},
		{
			// Inline tags go; the text between them stays, escaped, as
			// harmless text.
			name:    "script tag",
			in:      "退款说明<script>alert('x')</script>\n\n<script>fetch('/v1/tokens')</script>\n\n<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
			want:    []string{"退款说明"},
			notWant: []string{"<script", "<SCRIPT", "fetch", "evil.example"},
		},
		{
			name:    "javascript links",
			in:      "[点我](javascript:alert(1)) [再点](JAVASCRIPT:alert(1)) [编码](java&#x73;cript:alert(1)) <javascript:alert(1)>",
			want:    []string{"点我", "再点", "编码"},
			notWant: []string{"href", "<a"},
		},
		{
			name:    "data and vbscript links",
			in:      "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [y](vbscript:msgbox(1)) ![z](data:image/svg+xml,<svg onload=alert(1)>)",
			notWant: []string{"href", "src=", "<svg", "onload"},
		},
		{
			name:    "event handlers",
			in:      `<img src="x" onerror="alert(1)"> <b onclick="steal()">粗体</b> <a href="https://example.com" onmouseover="x()">链接</a>`,
			notWant: []string{"onerror", "onclick", "onmouseover", "steal", "alert"},
		},
		{
			name:    "raw html blocks",
			in:      "<div style=\"position:fixed\">遮罩</div>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n<form action=\"/x\"><input name=\"p\"></form>\n\n正文",
			want:    []string{"<p>正文</p>"},
			notWant: []string{"<div", "style", "<iframe", "<form", "<input"},
		},
		{
			name:    "html inside a table cell",
			in:      "| a |\n|---|\n| <script>x()</script>单元格 |\n",
			want:    []string{"<td>x()单元格</td>"},
			notWant: []string{"<script"},
		},
		{
			name: "safe links open outside",
			in:   "[帮助中心](https://help.example.com/refund) 和 https://example.com/a",
			want: []string{`<a href="https://help.example.com/refund" rel="nofollow noopener" target="_blank">帮助中心</a>`, `href="https://example.com/a"`},
		},
		{
			name:    "escaped text stays text",
			in:      `\<script\>alert(1)\</script\> 5 > 3 & 2 < 4`,
			want:    []string{"&lt;script&gt;", "5 &gt; 3 &amp; 2 &lt; 4"},
			notWant: []string{"<script"},
		},
		{
			name: "empty",
			in:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Render(tt.in)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("HTML holds %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestServiceRenderConcurrent(t *testing.T) {
	s := &Service{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := s.Render("## 标题\n\n正文"); !strings.Contains(got, "<h2>标题</h2>") {
				t.Errorf("render: %q", got)
			}
		})
	}
	wg.Wait()
}
