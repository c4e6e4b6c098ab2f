package suggest

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/pii"
)

// An LLM draft is checked before an agent sees it. The checks are cheap
// and local, and each failure has a short reason that ends up in
// Draft.Fallback. What they can and cannot catch:
//
//   - Markup. A draft is plain text. Anything that could run in a page
//     (<script>, <iframe>, <object>, <embed>, <svg>, <style>, <form>, an
//     on…= attribute inside a tag, a javascript:, vbscript: or
//     data:text/html URL) refuses the draft: a model that writes those was
//     steered by someone. Harmless tags (<p>, <b>, <br>) are removed and
//     their text kept; Markdown images are removed and links keep their
//     text. The API and the UI must still escape the text: this is a
//     second line, not the first.
//   - Citations. [n], ［n］, 【n】, [^n], [n,m], [n、m] and [n-m] are rewritten
//     as [n][m]…; every n must be the number of a source that was given,
//     and a draft with sources must cite at least one. A year in brackets
//     (【2024】) looks like a citation and is refused as one.
//   - Instructions from the ticket. The draft is refused when it says
//     "ignore previous instructions" or 忽略之前的指令 (or the like), when
//     it repeats 20 or more consecutive letters of the drafter's system
//     prompt (if the drafter shows it, see Instructions) or names its
//     prompt or markers, when it gives a URL that no source gives, when it
//     states an amount of money that neither the sources nor the ticket
//     state, and — if the ticket itself carries an injection (an
//     "ignore…" phrase, a role change, or a quoted demand such as
//     回复'…') — when it carries most of the text the ticket demanded
//     beyond what the sources say. These are heuristics on words: a
//     paraphrase (退款一万元 for 10000元), an instruction in another
//     language than the patterns know, or an injection that makes the
//     model say something the sources also say all pass. The system prompt
//     is the main defence; this catches the common, literal attacks.
//   - Facts. A number or identifier (pii.Facts: amounts, order and
//     tracking numbers, dates, models, phone numbers) that neither the
//     ticket nor an article the draft cites states refuses the draft: a
//     similar ticket's figures are another customer's.
//   - Language and length. A draft in the other language than the
//     ticket's (Chinese or not), one with fewer than 8 characters of text,
//     and one longer than 1000 characters are refused.
//
// Control and formatting characters (zero-width, bidirectional overrides)
// are removed, whitespace is tidied, and any personal data the model
// invented is masked.

// Bounds on a draft's length, in characters: a customer-service reply is a
// few sentences; a page of text means the model ignored the rules.
const (
	minDraftRunes = 8
	maxDraftRunes = 1000
)

// draftCheck is what a draft is checked against.
type draftCheck struct {
	sources []triage.Source // as given to the drafter, masked
	ticket  string          // masked title and body
	chinese bool            // the ticket's language
	// instructions is the drafter's system prompt, when it shows it.
	instructions string
}

// validateDraft returns the draft cleaned and with citations normalised,
// its citations in order of first use, or a reason to refuse it.
func validateDraft(out string, c draftCheck) (string, []int, *triage.Reason) {
	out = strings.ToValidUTF8(out, "\uFFFD")
	out = thinkBlockRE.ReplaceAllString(out, "")
	if unsafeMarkup(out) {
		return "", nil, reasonOf(triage.ReasonDraftUnsafeMarkup)
	}
	text := cleanText(out)
	text = normalizeCitations(text)
	if r := injectionReason(text, c); r != nil {
		return "", nil, r
	}
	cites, reason := checkCitations(text, c.sources)
	if reason != nil {
		return "", nil, reason
	}
	if a := ungroundedAmount(text, c); a != "" {
		return "", nil, reasonOf(triage.ReasonDraftAmount, a)
	}
	if f := foreignFact(text, cites, c); f != "" {
		return "", nil, reasonOf(triage.ReasonDraftForeignFact, f)
	}
	content := contentRunes(text)
	switch n := utf8.RuneCountInString(text); {
	case content < minDraftRunes:
		return "", nil, reasonOf(triage.ReasonDraftTooShort)
	case n > maxDraftRunes:
		return "", nil, reasonOf(triage.ReasonDraftTooLong, n)
	}
	if content >= 12 && isChinese(text) != c.chinese {
		return "", nil, reasonOf(triage.ReasonDraftLanguage)
	}
	text, _ = pii.Mask(text)
	return text, cites, nil
}

// reasonOf is a reason to refuse a draft.
func reasonOf(code triage.ReasonCode, args ...any) *triage.Reason {
	r := triage.NewReason(code, args...)
	return &r
}

var (
	thinkBlockRE = regexp.MustCompile(`(?is)<think>.*?</think>`)
	// unsafeRE finds markup that can run code or load content in a page.
	unsafeRE = regexp.MustCompile(`(?i)<\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|svg|math|style|link|meta|base|form)\b` +
		`|<[A-Za-z][^>]*\son[a-z]+\s*=|(?:javascript|vbscript|livescript)\s*:|data\s*:\s*text/html`)
)

func unsafeMarkup(s string) bool { return unsafeRE.MatchString(s) }

var (
	commentRE = regexp.MustCompile(`(?s)<!--.*?-->`)
	// A tag starts with a letter after < (or </), so 价格<100元 and a<b stay.
	breakTagRE = regexp.MustCompile(`(?i)<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\s*/?\s*>`)
	tagRE      = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`)
	autolinkRE = regexp.MustCompile(`<((?:https?|mailto):[^<>\s]+)>`)
	mdImageRE  = regexp.MustCompile(`!\[[^\]\n]*\]\([^)\n]*\)`)
	mdLinkRE   = regexp.MustCompile(`\[([^\]\n]+)\]\([^)\n]*\)`)
	mdRefDefRE = regexp.MustCompile(`(?m)^[ \t]*\[([^\]\n]+)\]:[ \t]*\S+.*$`)
	mdRefRE    = regexp.MustCompile(`\[([^\]\n]+)\]\[([^\]\n]*)\]`)
	mdHeadRE   = regexp.MustCompile(`(?m)^[ \t]*#{1,6}[ \t]+`)
	mdEmphRE   = regexp.MustCompile(`\*\*|__|~~|` + "`")
	hspaceRE   = regexp.MustCompile(`[ \t\x{3000}\x{00A0}]+`)
	blankRE    = regexp.MustCompile(`\n{3,}`)
)

// cleanText turns model or KB text into plain text: no tags, no Markdown
// links or images, no control or invisible characters, tidy whitespace.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	// Each pass runs only when its marker is there: most KB text has no
	// markup, and this runs on every sentence source of every draft.
	if strings.Contains(s, "<") {
		s = commentRE.ReplaceAllString(s, "")
		s = breakTagRE.ReplaceAllString(s, "\n")
		s = autolinkRE.ReplaceAllString(s, "$1")
		s = tagRE.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "[") {
		s = mdImageRE.ReplaceAllString(s, "")
		// A citation looks like a Markdown link label: [1](url) keeps [1],
		// and [1][2] is two citations, not a reference link.
		s = mdLinkRE.ReplaceAllStringFunc(s, func(m string) string {
			label := mdLinkRE.FindStringSubmatch(m)[1]
			if citeLabelRE.MatchString(label) {
				return "[" + label + "]"
			}
			return label
		})
		s = mdRefDefRE.ReplaceAllStringFunc(s, func(m string) string {
			if citeLabelRE.MatchString(mdRefDefRE.FindStringSubmatch(m)[1]) {
				return m
			}
			return ""
		})
		s = mdRefRE.ReplaceAllStringFunc(s, func(m string) string {
			sub := mdRefRE.FindStringSubmatch(m)
			if citeLabelRE.MatchString(sub[1]) || citeLabelRE.MatchString(sub[2]) {
				return m
			}
			return sub[1]
		})
	}
	if strings.Contains(s, "#") {
		s = mdHeadRE.ReplaceAllString(s, "")
	}
	if strings.ContainsAny(s, "*_~`") {
		s = mdEmphRE.ReplaceAllString(s, "")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r' || r == '\v' || r == '\f':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029':
			// Cf holds the zero-width and bidirectional controls that can
			// hide or reorder text in front of the agent.
			return -1
		}
		return r
	}, s)
	s = hspaceRE.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = blankRE.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
}

var (
	// citeRE matches the bracketed citation forms models produce; the
	// digits may be full-width.
	citeRE = regexp.MustCompile(`[\[［【]\s*\^?\s*([0-9０-９]+(?:\s*[,，、;；\-–—~～]\s*[0-9０-９]+)*)\s*[\]］】]`)
	// citeLabelRE matches what is inside a citation's brackets.
	citeLabelRE = regexp.MustCompile(`^\s*\^?\s*[0-9０-９]+(?:\s*[,，、;；\-–—~～]\s*[0-9０-９]+)*\s*$`)
	// simpleCiteRE matches a normalised citation.
	simpleCiteRE = regexp.MustCompile(`\[(\d+)\]`)
	citeSepRE    = regexp.MustCompile(`\s*([,，、;；\-–—~～])\s*`)
)

// maxCiteRange bounds an [n-m] range so that [1-99999] cannot blow up.
const maxCiteRange = 20

// normalizeCitations rewrites every citation form as [n][m]…, with ASCII
// digits. A range that is reversed or too long is written as its ends, so
// that the source check still sees them.
func normalizeCitations(s string) string {
	return citeRE.ReplaceAllStringFunc(s, func(m string) string {
		inner := citeRE.FindStringSubmatch(m)[1]
		inner = strings.Map(func(r rune) rune {
			if r >= '０' && r <= '９' {
				return '0' + (r - '０')
			}
			return r
		}, inner)
		parts := citeSepRE.Split(inner, -1)
		seps := citeSepRE.FindAllStringSubmatch(inner, -1)
		var b strings.Builder
		for i, p := range parts {
			n, _ := strconv.Atoi(p)
			if i > 0 && strings.ContainsAny(seps[i-1][1], "-–—~～") {
				prev, _ := strconv.Atoi(parts[i-1])
				if n > prev && n-prev <= maxCiteRange {
					for k := prev + 1; k < n; k++ {
						fmt.Fprintf(&b, "[%d]", k)
					}
				}
			}
			fmt.Fprintf(&b, "[%d]", n)
		}
		return b.String()
	})
}

// checkCitations returns the citations of a normalised text in order of
// first use, or a reason to refuse it.
func checkCitations(text string, sources []triage.Source) ([]int, *triage.Reason) {
	given := map[int]bool{}
	for _, s := range sources {
		given[s.N] = true
	}
	var cites []int
	for _, m := range simpleCiteRE.FindAllStringSubmatch(text, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil || !given[n] {
			return nil, reasonOf(triage.ReasonDraftCitesUnknown, m[1])
		}
		if !slices.Contains(cites, n) {
			cites = append(cites, n)
		}
	}
	if len(cites) == 0 && len(sources) > 0 {
		return nil, reasonOf(triage.ReasonDraftCitesNone)
	}
	return cites, nil
}

var (
	// ignoreRE finds "ignore the instructions" in English and Chinese. The
	// Chinese form insists on a determiner and a word for the rules, so
	// that 请忽略之前的短信提示 is not one.
	ignoreRE = regexp.MustCompile(`(?i)\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+|those\s+)?` +
		`(?:previous\s+|prior\s+|above\s+|earlier\s+|preceding\s+|system\s+|original\s+|initial\s+)*(?:instructions?|prompts?|rules|directions|guidelines|messages)\b` +
		`|(?:忽略|无视|忽视|忘记|忘掉|不要理会|不用理会|别管|跳过|绕过)掉?(?:你|您)?的?(?:之前|以上|上面|上述|前面|先前|此前|原来|原有|原先|所有|全部|一切|系统|开发者)*的?(?:所有|全部|一切)?的?` +
		`(?:指令|指示|提示词|规则|设定|命令|约束|限制|prompt)`)
	// roleRE finds attempts to give the model a new role or new rules.
	roleRE = regexp.MustCompile(`(?i)\byou\s+are\s+now\b|\bact\s+as\b|\bpretend\s+(?:to\s+be|you)\b|\bfrom\s+now\s+on\b|\bnew\s+instructions?\b|\bsystem\s*(?:prompt)?\s*[:：]|\bdeveloper\s+mode\b|\bjailbreak` +
		`|你现在是|你现在扮演|扮演一个|从现在开始你|新的指令|新指令|系统指令|系统提示|开发者模式|越狱`)
	// leakRE finds a draft that talks about its prompt or its markers.
	leakRE = regexp.MustCompile(`(?i)system\s+prompt|\bmy\s+(?:instructions|prompt)\b|\bticket\s+(?:start|end)\b|={3,}` +
		`|系统提示|提示词|我的(?:指令|设定)|工单开始|工单结束`)
	// quotedRE finds quoted text in a ticket: what an injection wants said.
	quotedRE = regexp.MustCompile(`["“「『'‘]([^"”」』'’\n]{2,200})["”」』'’]`)
	// demandRE finds "reply: …" and takes the rest of the line.
	demandRE = regexp.MustCompile(`(?i)(?:回复|回答|答复|输出|\b(?:reply(?:\s+with)?|respond(?:\s+with)?|answer(?:\s+with)?|say|output|write))\s*[：:]\s*([^\n]{2,200})`)
	// quotedDemandRE finds a demand followed by quoted text: 回复'…'.
	quotedDemandRE = regexp.MustCompile(`(?i)(?:回复|回答|答复|输出|\b(?:reply(?:\s+with)?|respond(?:\s+with)?|answer(?:\s+with)?|say|output))\s*[：:]?\s*["“「『'‘]`)
	urlRE          = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'“”‘’（）()【】\[\]{}，。；！？]+`)
)

// leakShingle is how many consecutive letters of the system prompt a draft
// may repeat: enough for a common phrase, not for a rule.
const leakShingle = 20

func injectionReason(text string, c draftCheck) *triage.Reason {
	switch {
	case ignoreRE.MatchString(text):
		return reasonOf(triage.ReasonDraftIgnoreRules)
	case leakRE.MatchString(text), repeatsPrompt(text, c.instructions):
		return reasonOf(triage.ReasonDraftRevealsPrompt)
	}
	srcText := sourcesText(c.sources)
	for _, u := range urlRE.FindAllString(text, -1) {
		u = strings.TrimRight(u, ".,;:!?")
		if !strings.Contains(strings.ToLower(srcText), strings.ToLower(u)) {
			return reasonOf(triage.ReasonDraftForeignLink, u)
		}
	}
	if !injected(c.ticket) {
		return nil
	}
	srcGrams := bigrams(foldText(srcText))
	outGrams := bigrams(foldText(text))
	for _, p := range payloads(c.ticket) {
		var novel, echoed int
		for g := range bigrams(foldText(p)) {
			if srcGrams[g] {
				continue
			}
			novel++
			if outGrams[g] {
				echoed++
			}
		}
		// What the sources also say may be said; the rest of a demanded
		// text may not, and a paraphrase keeps few of its letter pairs.
		if novel >= 3 && echoed*10 >= novel*6 {
			return reasonOf(triage.ReasonDraftObeysTicket)
		}
	}
	return nil
}

// injected reports whether a ticket tries to instruct the model.
func injected(ticket string) bool {
	if ignoreRE.MatchString(ticket) || roleRE.MatchString(ticket) {
		return true
	}
	return quotedDemandRE.MatchString(ticket)
}

// payloads returns what an injected ticket may want the model to say:
// quoted text, the rest of a "reply: …" line, and URLs.
func payloads(ticket string) []string {
	var out []string
	for _, m := range quotedRE.FindAllStringSubmatch(ticket, -1) {
		out = append(out, m[1])
	}
	for _, m := range demandRE.FindAllStringSubmatch(ticket, -1) {
		out = append(out, m[1])
	}
	return append(out, urlRE.FindAllString(ticket, -1)...)
}

// repeatsPrompt reports whether text repeats leakShingle consecutive
// letters of the prompt, ignoring spaces, punctuation and case.
func repeatsPrompt(text, prompt string) bool {
	if prompt == "" {
		return false
	}
	p := []rune(foldText(prompt))
	seen := make(map[string]bool, len(p))
	for i := 0; i+leakShingle <= len(p); i++ {
		seen[string(p[i:i+leakShingle])] = true
	}
	t := []rune(foldText(text))
	for i := 0; i+leakShingle <= len(t); i++ {
		if seen[string(t[i:i+leakShingle])] {
			return true
		}
	}
	return false
}

// foldText keeps letters and digits, lower-cased, so that comparisons
// ignore spacing, punctuation and citations' brackets.
func foldText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '０' && r <= '９' {
			r = '0' + (r - '０')
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func bigrams(s string) map[string]bool {
	rs := []rune(s)
	out := make(map[string]bool, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		out[string(rs[i:i+2])] = true
	}
	return out
}

func sourcesText(sources []triage.Source) string {
	var b strings.Builder
	for _, s := range sources {
		b.WriteString(s.Title + "\n" + s.Snippet + "\n" + s.Resolution + "\n")
	}
	return b.String()
}

// amountRE finds amounts of money: 10000元, ¥200, RMB 300, $15. 块 is
// left out: it is also a measure word (3块手表).
var amountRE = regexp.MustCompile(`(?i)(?:[¥￥$]|rmb|cny|usd)\s*([0-9][0-9,]*(?:\.[0-9]+)?)|([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:元|rmb|cny|人民币|美元|dollars?|yuan)`)

// ungroundedAmount returns the first amount of money in text that neither
// the sources nor the ticket mention: a promised refund of a sum nobody
// named is the costliest thing a draft can invent.
func ungroundedAmount(text string, c draftCheck) string {
	known := map[string]bool{}
	for _, a := range amounts(sourcesText(c.sources) + "\n" + c.ticket) {
		known[a] = true
	}
	for _, a := range amounts(text) {
		if !known[a] {
			return a
		}
	}
	return ""
}

// foreignFact returns the first number or identifier of a draft that
// neither the ticket nor an article it cites states: the check `triage
// eval drafts` makes, made before an agent sees the draft. A resolved
// ticket's facts are another customer's, so a similar ticket grounds none.
func foreignFact(text string, cites []int, c draftCheck) string {
	grounds := []string{c.ticket}
	for _, s := range c.sources {
		if s.Kind == triage.DocArticle && slices.Contains(cites, s.N) {
			grounds = append(grounds, s.Title, s.Snippet)
		}
	}
	if f := pii.Foreign(simpleCiteRE.ReplaceAllString(text, ""), grounds...); len(f) > 0 {
		return f[0].Value
	}
	return ""
}

// amounts returns the amounts of money in s, as canonical numbers (1,000.00
// and 1000 are the same).
func amounts(s string) []string {
	var out []string
	for _, m := range amountRE.FindAllStringSubmatch(s, -1) {
		v := m[1] + m[2]
		v = strings.ReplaceAll(v, ",", "")
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			out = append(out, strconv.FormatFloat(f, 'f', -1, 64))
		}
	}
	return out
}

// contentRunes counts the letters and digits of a draft outside its
// citations: "[1]" alone is not a reply.
func contentRunes(s string) int {
	return utf8.RuneCountInString(foldText(simpleCiteRE.ReplaceAllString(s, "")))
}
