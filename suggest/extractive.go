package suggest

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/pii"
)

// An extractive draft quotes the best sources instead of writing: a
// greeting, the one to three sentences that share the most words with the
// ticket, each with its [n], and a closing line. It needs no model and
// no network, so it is the draft without an LLM and the fallback when the
// LLM fails. The same input always gives the same draft.

const (
	maxExtractSources   = 3   // sources quoted from, best first
	maxExtractSentences = 3   // sentences in a draft
	maxPerSource        = 2   // so that one long article does not fill it
	maxSentenceRunes    = 160 // longer sentences are cut at a clause
	minSentenceRunes    = 6   // letters and digits; shorter says nothing
)

// The draft's own greeting and closing, by language.
const (
	greetingZH = "您好，关于您反馈的问题，以下信息供您参考："
	greetingEN = "Hello, thank you for contacting us. Here is what should help:"
	closingZH  = "如还有其他问题，欢迎随时联系我们。"
	closingEN  = "If you have any other questions, please let us know."
)

type candidate struct {
	text  string
	n     int // the source's citation number
	rank  int // the source's rank, 0 best
	pos   int // the sentence's position in the source
	score int
	terms map[string]bool
}

// extractiveDraft builds the draft; it returns "" when no source has a
// sentence worth quoting. Sources are ranked by fused score, ties in the
// order given.
func extractiveDraft(title, body string, chinese bool, sources []triage.Source) (string, []int) {
	ranked := slices.Clone(sources)
	slices.SortStableFunc(ranked, func(a, b triage.Source) int { return cmp.Compare(b.Fused, a.Fused) })
	want := terms(title + "\n" + body)
	// What a resolution's sentence may state about the case: the ticket's
	// own words. (An article's sentences are published and cited as they
	// are; a resolution's sentence is cited alone, so an article that was
	// not quoted cannot vouch for its figures.)
	grounds := []string{title, body}

	var cands []candidate
	rank := 0
	for _, s := range ranked {
		if rank == maxExtractSources {
			break
		}
		text, resolution := s.Snippet, false
		if s.Kind == triage.DocTicket {
			// A similar ticket's own text is another customer's question;
			// what helps is the reply that solved it.
			if strings.TrimSpace(s.Resolution) == "" {
				continue
			}
			text, resolution = s.Resolution, true
		}
		var found bool
		for pos, sent := range quotableSentences(text) {
			if resolution {
				var ok bool
				if sent, ok = generalize(sent, grounds); !ok {
					continue
				}
			}
			c := candidate{text: sent, n: s.N, rank: rank, pos: pos, terms: terms(sent)}
			for t := range c.terms {
				if want[t] {
					c.score++
				}
			}
			if resolution && sharesTerm(want, s.Title) {
				// Retrieval matched the ticket to this one, and their
				// titles agree; its resolution need not repeat the
				// customer's words.
				c.score++
			}
			cands = append(cands, c)
			found = true
		}
		if found {
			rank++
		}
	}
	if len(cands) == 0 {
		return "", nil
	}
	picked := pickSentences(cands)

	var b strings.Builder
	greeting, closing := greetingEN, closingEN
	if chinese {
		greeting, closing = greetingZH, closingZH
	}
	b.WriteString(greeting)
	var cites []int
	for _, c := range picked {
		b.WriteString("\n" + withCitation(c.text, c.n))
		if !slices.Contains(cites, c.n) {
			cites = append(cites, c.n)
		}
	}
	b.WriteString("\n" + closing)
	return b.String(), cites
}

// sharesTerm reports whether text has one of the terms in want.
func sharesTerm(want map[string]bool, text string) bool {
	for t := range terms(text) {
		if want[t] {
			return true
		}
	}
	return false
}

// pickSentences takes the best-scoring sentences, at most maxPerSource from
// one source and none that repeats one already taken, and puts them back
// in the order of their sources. With no sentence sharing a word with the
// ticket it takes the first sentence of the best source: the retrieval
// found it relevant, and a draft is more use than none.
func pickSentences(cands []candidate) []candidate {
	order := slices.Clone(cands)
	slices.SortStableFunc(order, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.rank, b.rank), cmp.Compare(a.pos, b.pos))
	})
	var picked []candidate
	perSource := map[int]int{}
	for _, c := range order {
		if len(picked) == maxExtractSentences || c.score == 0 {
			break
		}
		if perSource[c.rank] == maxPerSource || slices.ContainsFunc(picked, func(p candidate) bool { return similar(p.terms, c.terms) }) {
			continue
		}
		perSource[c.rank]++
		picked = append(picked, c)
	}
	if len(picked) == 0 {
		picked = append(picked, slices.MinFunc(cands, func(a, b candidate) int {
			return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.pos, b.pos))
		}))
	}
	slices.SortFunc(picked, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.pos, b.pos))
	})
	return picked
}

// similar reports whether two sentences share most of their terms, as the
// same answer copied into an article and a resolution does.
func similar(a, b map[string]bool) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	both := 0
	for t := range a {
		if b[t] {
			both++
		}
	}
	return both*10 >= 6*(len(a)+len(b)-both)
}

var (
	// greetingRE removes the salutation a resolution starts with: the
	// draft has its own.
	// A resolution often greets its customer by name (龚先生您好): that
	// name belongs to another customer and must not reach this one.
	greetingRE = regexp.MustCompile(`(?i)^(?:(?:亲爱的|尊敬的)?(?:\p{Han}{1,3}(?:先生|女士|小姐|老师|同学))?(?:您好|你好|亲|客户|用户|顾客|会员)+|(?:亲爱的|尊敬的)?\p{Han}{1,3}(?:先生|女士|小姐|老师|同学)[，,]|(?:hi|hello|dear)\b[^,，!！.。]{0,20})[，,！!。.、\s~～]*`)
	// closingRE removes a pleasantry tacked onto a useful sentence
	// (…就可以解决，祝您使用愉快！).
	closingRE = regexp.MustCompile(`[，,]\s*(?:祝您|祝你|感谢您|谢谢您|谢谢)[^，,。！!？?]*([。！!]?)$`)
	// pleasantryRE finds sentences that are only politeness.
	pleasantryRE = regexp.MustCompile(`(?i)感谢|谢谢|祝您|如有(?:其他|任何)?(?:问题|疑问)|如还有|欢迎随时|不便|抱歉|致歉|歉意|道歉|thank|sorry|let us know|any (?:other|further) questions|have a (?:nice|good)`)
	// tableRowRE finds a Markdown table's rows and rules: cells are not
	// sentences, and a citation inside a row breaks the table.
	tableRowRE = regexp.MustCompile(`(?m)^[ \t]*\|.*$|^.*\|.*\|.*$|^[ \t]*:?-{3,}:?[ \t]*(?:\|.*)?$`)
)

// quotableSentences splits a source into plain-text sentences worth
// quoting: no markup or citations of its own, no salutations, no
// questions, no pleasantries, nothing that names someone's masked data.
func quotableSentences(text string) []string {
	text = simpleCiteRE.ReplaceAllString(normalizeCitations(cleanText(text)), "")
	text = tableRowRE.ReplaceAllString(text, "")
	var out []string
	for _, s := range splitSentences(text) {
		if tableCells(s) {
			continue
		}
		s = strings.TrimSpace(greetingRE.ReplaceAllString(s, ""))
		s = closingRE.ReplaceAllString(s, "。")
		n := contentRunes(s)
		switch {
		case n < minSentenceRunes,
			strings.HasSuffix(s, "？") || strings.HasSuffix(s, "?"),
			n <= 20 && pleasantryRE.MatchString(s),
			pii.StripPlaceholders(s) != s:
			continue
		}
		out = append(out, shorten(s))
	}
	return out
}

// tableCells reports a Chinese line of three or more cells with no
// punctuation between them: what a table row becomes as plain text
// (极光电动牙刷 T1 2 年 2 年).
func tableCells(s string) bool {
	if strings.ContainsAny(s, "，。；：！？、,;:!?.") || !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		return false
	}
	return len(strings.Fields(s)) >= 3
}

// splitSentences splits after 。！？!?；; and line ends, keeping closing
// quotes with their sentence; a full stop splits only before a space or
// the end, so 1.5 and e-mail addresses stay whole.
func splitSentences(text string) []string {
	var out []string
	rs := []rune(text)
	start, depth := 0, 0
	for i := 0; i < len(rs); i++ {
		end := -1
		switch r := rs[i]; {
		case r == '\n':
			end, depth = i, 0
		case strings.ContainsRune("「『“（", r):
			depth++
		case strings.ContainsRune("」』”）", r):
			depth = max(depth-1, 0)
			if depth == 0 && i > 0 && strings.ContainsRune("。！？!?", rs[i-1]) {
				// “好的。” ends its sentence with the quote.
				end = i + 1
			}
		case depth > 0:
			// A stop inside a quotation does not end the sentence
			// around it, so a citation cannot land inside the quote.
		case strings.ContainsRune("。！？!?；;…", r), r == '.' && (i+1 == len(rs) || unicode.IsSpace(rs[i+1])):
			end = i + 1
		}
		if end < 0 {
			continue
		}
		if end > i {
			for end < len(rs) && strings.ContainsRune(`”’」』"')）`, rs[end]) {
				end++
			}
		}
		if s := strings.TrimSpace(string(rs[start:end])); s != "" {
			out = append(out, s)
		}
		start = max(end, i+1)
		i = start - 1
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, s)
	}
	return out
}

// shorten cuts a long sentence at the last clause break before the limit.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxSentenceRunes {
		return s
	}
	rs := []rune(s)[:maxSentenceRunes]
	cut := len(rs)
	for i := len(rs) - 1; i >= maxSentenceRunes/2; i-- {
		if strings.ContainsRune("，,、：:", rs[i]) {
			cut = i
			break
		}
	}
	return strings.TrimSpace(string(rs[:cut])) + "…"
}

// withCitation puts [n] before a sentence's closing punctuation, as the
// prompt asks a model to: 七天内可退货[1]。 and "Returns are free [1]."
func withCitation(s string, n int) string {
	cite := "[" + strconv.Itoa(n) + "]"
	rs := []rune(s)
	end := len(rs)
	for end > 0 && strings.ContainsRune("。！!.；;…", rs[end-1]) {
		end--
	}
	// A citation never goes inside a quotation (「我的-退款/售后」): it
	// follows the closing mark, and a stop inside the quote ends it.
	head, tail := string(rs[:end]), string(rs[end:])
	quoted := end > 0 && strings.ContainsRune("”’」』\"')）", rs[end-1])
	zh := isChinese(s)
	if quoted && tail == "" && end > 1 && strings.ContainsRune("。！!.；;…", rs[end-2]) {
		return head + cite
	}
	if tail == "" || tail == "…" {
		if zh {
			tail += "。"
		} else {
			tail += "."
		}
	}
	if !zh {
		cite = " " + cite
	}
	return head + cite + tail
}

// stopTerm reports words every ticket and source share, which say nothing
// about what a sentence is about.
func stopTerm(t string) bool {
	switch t {
	case "您好", "你好", "请问", "谢谢", "感谢", "一下", "我的", "我们", "你们", "您的", "什么", "怎么",
		"可以", "这个", "那个", "如果", "已经", "还是", "没有", "是否", "麻烦",
		"the", "and", "you", "your", "for", "with", "is", "are", "my", "to", "of", "in", "it", "on",
		"please", "hi", "hello", "thank", "can", "be", "we", "this", "that":
		return true
	}
	return false
}

// terms are the words a sentence is compared on without a segmenter:
// every pair of adjacent Han characters (a lone one by itself), every
// Latin word (lower-cased, a plural s dropped) and every number.
func terms(s string) map[string]bool {
	out := map[string]bool{}
	add := func(t string) {
		if !stopTerm(t) {
			out[t] = true
		}
	}
	// Substrings of s share its memory: only the map allocates.
	s = strings.ToLower(s)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		switch {
		case unicode.Is(unicode.Han, r):
			prev, n := i, 1
			for j < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.Is(unicode.Han, r2) {
					break
				}
				add(s[prev : j+size2])
				prev, j, n = j, j+size2, n+1
			}
			if n == 1 {
				add(s[i:j])
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			for j < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[j:])
				if !(unicode.IsLetter(r2) || unicode.IsDigit(r2)) || unicode.Is(unicode.Han, r2) {
					break
				}
				j += size2
			}
			w := s[i:j]
			if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !unicode.IsDigit(r) {
				w = w[:len(w)-1] // refunds and refund are one word here
			}
			if utf8.RuneCountInString(w) >= 2 || unicode.IsDigit(r) {
				add(w)
			}
		}
		i = j
	}
	return out
}
