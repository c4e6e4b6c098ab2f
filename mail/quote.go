package mail

import (
	"regexp"
	"strings"
)

var (
	// originalRe is the separator line QQ邮箱, Foxmail and old Outlook put
	// above the quoted mail: 「------------------ 原始邮件 ------------------」,
	// 「-----Original Message-----」. Forward separators are not history:
	// what a customer forwards is what they are asking about.
	originalRe = regexp.MustCompile(`(?i)^\s*[-—_=]{2,}\s*(原始邮件|原始郵件|original\s*(message|mail)?|邮件原文)\s*[-—_=]{2,}\s*$`)
	// underscoreRe is Outlook's rule above its 发件人/From block.
	underscoreRe = regexp.MustCompile(`^\s*_{10,}\s*$`)
	// headerFromRe and headerSentRe are the first two lines of the header
	// block Foxmail and Outlook quote: 「发件人：…」 then 「发送时间：…」.
	headerFromRe = regexp.MustCompile(`(?i)^\s*[*]?(发件人|寄件者|寄件人|from)[*]?\s*[:：]`)
	headerSentRe = regexp.MustCompile(`(?i)^\s*[*]?(发送时间|发送日期|寄件日期|时间|日期|sent|date)[*]?\s*[:：]`)
	// wroteEndRe ends an attribution line: 「在 2026年12月7日…写道：」,
	// 「2026年12月7日 15:04，张三 写道：」, "On Mon, … wrote:".
	wroteEndRe   = regexp.MustCompile(`(?i)(写道|寫道|wrote)\s*[:：]\s*$`)
	wroteStartRe = regexp.MustCompile(`(?i)^\s*(在|于|於|on\s|\d{4}\s*[年/\-.]|\d{1,2}\s*月|周[一二三四五六日天]|星期)`)
	// mobileSigRe matches the one-line signatures phones and mail apps add.
	// ruleRe is a line that is only a rule, left over above a cut.
	ruleRe      = regexp.MustCompile(`^\s*[-—_=*]{3,}\s*$`)
	mobileSigRe = regexp.MustCompile(`(?i)^\s*(发自我的|来自我的|發自我的|从我的 ?.{0,20}发送|发自\s*(网易邮箱|QQ邮箱|Outlook|手机)|来自\s*(QQ邮箱|网易邮箱|手机)|sent from my|get outlook for|sent from (mail|outlook) for)`)
)

// splitReply returns what the sender wrote above the quoted history and
// above the signature, and whether anything was cut. It returns "" when
// the whole text is history, which the caller then shows whole.
func splitReply(text string) (string, bool) {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := range lines {
		if quoteStartsAt(lines, i) {
			cut = i
			break
		}
	}
	lines = lines[:cut]
	// The signature: an RFC 3676 "-- " line near the end.
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-15; i-- {
		if lines[i] == "-- " || lines[i] == "--" {
			lines = lines[:i]
			break
		}
	}
	// One-line app signatures and bare separator lines at the end.
	for {
		j := len(lines) - 1
		for j >= 0 && strings.TrimSpace(lines[j]) == "" {
			j--
		}
		if j < 0 || !mobileSigRe.MatchString(lines[j]) && !ruleRe.MatchString(lines[j]) {
			lines = lines[:j+1]
			break
		}
		lines = lines[:j]
	}
	out := strings.TrimSpace(strings.Join(lines, "\n"))
	return out, out != strings.TrimSpace(text)
}

// quoteStartsAt reports whether quoted history starts at line i.
func quoteStartsAt(lines []string, i int) bool {
	l := lines[i]
	switch {
	case originalRe.MatchString(l):
		return true
	case underscoreRe.MatchString(l) && nextNonBlank(lines, i+1, 2, headerFromRe):
		return true
	case headerFromRe.MatchString(l) && nextNonBlank(lines, i+1, 5, headerSentRe):
		return true
	case isAttribution(lines, i):
		return true
	case strings.HasPrefix(l, ">") && onlyQuotesFollow(lines, i):
		return true
	}
	return false
}

// nextNonBlank reports whether one of the next n lines from i matches re.
func nextNonBlank(lines []string, i, n int, re *regexp.Regexp) bool {
	for j := i; j < len(lines) && j < i+n; j++ {
		if re.MatchString(lines[j]) {
			return true
		}
	}
	return false
}

// isAttribution reports whether an attribution line starts at i; plain
// text clients wrap long ones, so up to three lines are joined.
func isAttribution(lines []string, i int) bool {
	if !wroteStartRe.MatchString(lines[i]) {
		return false
	}
	joined := ""
	for j := i; j < len(lines) && j < i+3; j++ {
		joined += strings.TrimSpace(lines[j]) + " "
		if wroteEndRe.MatchString(joined) {
			return len([]rune(joined)) < 400
		}
		if strings.TrimSpace(lines[j]) == "" {
			return false
		}
	}
	return false
}

// onlyQuotesFollow reports whether every non-blank line from i on is a
// ">" quote: a bottom quote, not an interleaved answer.
func onlyQuotesFollow(lines []string, i int) bool {
	for _, l := range lines[i:] {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, ">") {
			return false
		}
	}
	return true
}
