// Package importertest writes sample exports for tests, benchmarks and the
// README: a Zendesk incremental export of any number of Chinese online-shop
// tickets with their conversations, deterministic for a seed, whose
// categories a classifier can learn (eight categories, each with its own
// vocabulary, phrased many ways) but not perfectly, because it has the noise
// real tickets have: greetings, subjects that say nothing, vague bodies,
// problems that mix two categories and 5% filed under the wrong one.
//
// Everything is made up here: names from common surnames and given names,
// example.com addresses, 138 0000 phone numbers, SO2026… order numbers.
// Nothing comes from real customers.
package importertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Category is one category of the sample: the value of the Zendesk custom
// field "问题分类" (id CategoryFieldID, also added as a tag, as Zendesk does for
// drop-down fields) and the triage category it maps to.
type Category struct {
	Value string // e.g. "refund"
	Name  string // e.g. "退款"
	share int    // relative frequency
}

// CategoryFieldID is the id of the sample's category custom field.
const CategoryFieldID = 360000001

// OrderFieldID is the id of the sample's order number custom field.
const OrderFieldID = 360000002

// Categories lists the sample's categories, most frequent first.
func Categories() []Category {
	return []Category{
		{"logistics", "物流", 22},
		{"refund", "退款", 20},
		{"repair", "售后维修", 12},
		{"account", "账号", 10},
		{"promotion", "优惠活动", 10},
		{"order_change", "订单修改", 10},
		{"invoice", "发票", 8},
		{"product", "商品咨询", 8},
	}
}

// Mapping returns the mapping file for the sample: the category from the
// 问题分类 field, its values mapped to the Chinese category names.
func Mapping() []byte {
	values := map[string]string{}
	for _, c := range Categories() {
		values[c.Value] = c.Name
	}
	m := map[string]any{
		"category": map[string]any{"from": "field", "field": fmt.Sprint(CategoryFieldID), "values": values},
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return append(b, '\n')
}

// Options shapes a sample export.
type Options struct {
	Tickets int    // how many tickets; 1,000 when 0
	Seed    uint64 // the same seed gives the same bytes
	// PageSize splits the tickets into pages of the cursor-based
	// incremental export, written one after another; one page when 0.
	PageSize int
	// Lines writes JSON Lines instead: one ticket per line with its
	// comments and requester inline, like the account's full export.
	Lines bool
}

// WriteZendesk writes a Zendesk export of made-up tickets and returns the
// category of each ticket, in the order written, so a test can check what
// an import derives.
func WriteZendesk(w io.Writer, opt Options) ([]string, error) {
	n := opt.Tickets
	if n == 0 {
		n = 1000
	}
	g := &gen{r: rand.New(rand.NewPCG(opt.Seed, 0x7472696167650001))}
	g.people()
	tickets := make([]ticket, n)
	cats := make([]string, n)
	for i := range tickets {
		tickets[i] = g.ticket(int64(100001 + i))
		cats[i] = tickets[i].category
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	if opt.Lines {
		err = g.writeLines(bw, tickets)
	} else {
		size := opt.PageSize
		if size <= 0 {
			size = n
		}
		for start := 0; start < n && err == nil; start += size {
			end := min(start+size, n)
			err = g.writePage(bw, tickets[start:end], end == n)
		}
	}
	if err != nil {
		return nil, err
	}
	return cats, bw.Flush()
}

type user struct {
	ID    int64   `json:"id"`
	Name  string  `json:"name"`
	Email string  `json:"email"`
	Phone *string `json:"phone"`
	Role  string  `json:"role"`
}

type field struct {
	ID    int64 `json:"id"`
	Value any   `json:"value"`
}

type attachment struct {
	ID          int64  `json:"id"`
	FileName    string `json:"file_name"`
	ContentURL  string `json:"content_url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Inline      bool   `json:"inline"`
}

type comment struct {
	ID          int64        `json:"id"`
	TicketID    int64        `json:"ticket_id,omitempty"`
	Type        string       `json:"type"`
	AuthorID    int64        `json:"author_id"`
	Body        string       `json:"body,omitempty"`
	HTMLBody    string       `json:"html_body,omitempty"`
	Public      bool         `json:"public"`
	Attachments []attachment `json:"attachments"`
	CreatedAt   string       `json:"created_at"`
}

type ticket struct {
	URL          string            `json:"url"`
	ID           int64             `json:"id"`
	Via          map[string]any    `json:"via"`
	CreatedAt    string            `json:"created_at"`
	UpdatedAt    string            `json:"updated_at"`
	Type         *string           `json:"type"`
	Subject      string            `json:"subject"`
	Description  string            `json:"description"`
	Priority     *string           `json:"priority"`
	Status       string            `json:"status"`
	RequesterID  int64             `json:"requester_id"`
	SubmitterID  int64             `json:"submitter_id"`
	AssigneeID   *int64            `json:"assignee_id"`
	GroupID      *int64            `json:"group_id"`
	Tags         []string          `json:"tags"`
	CustomFields []field           `json:"custom_fields"`
	Satisfaction map[string]string `json:"satisfaction_rating"`
	Comments     []comment         `json:"comments,omitempty"`
	Requester    *user             `json:"requester,omitempty"`

	category string
	solvedAt string
}

type gen struct {
	r          *rand.Rand
	requesters []user
	agents     []user
	commentID  int64
	attachID   int64
}

// pick returns one of xs.
func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// weighted returns an index drawn by the weights.
func (g *gen) weighted(ws ...int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range ws {
		if n < w {
			return i
		}
		n -= w
	}
	return len(ws) - 1
}

func (g *gen) people() {
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given := []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
		"刚", "桂英", "晨", "欣怡", "子轩", "浩然", "雨涵", "梓涵", "一诺", "思远", "佳怡", "宇航", "晓东", "海燕", "建国", "文博", "诗琪", "俊杰", "婷婷", "鹏"}
	for i := range 300 {
		u := user{ID: int64(200001 + i), Name: string(pick(g, surnames)) + pick(g, given), Role: "end-user"}
		u.Email = fmt.Sprintf("customer%04d@example.com", i+1)
		if g.r.IntN(3) == 0 {
			p := fmt.Sprintf("+86 138 0000 %04d", i+1)
			u.Phone = &p
		}
		g.requesters = append(g.requesters, u)
	}
	for i, name := range []string{"张伟", "李娜", "王磊", "刘芳", "陈静", "杨帆", "赵雷", "周敏"} {
		role := "agent"
		if i == 0 {
			role = "admin"
		}
		g.agents = append(g.agents, user{ID: int64(100001 + i), Name: name, Email: fmt.Sprintf("agent%d@shop.example.cn", i+1), Role: role})
	}
}

// ticket makes one ticket with its conversation.
func (g *gen) ticket(id int64) ticket {
	cats := Categories()
	shares := make([]int, len(cats))
	for i, c := range cats {
		shares[i] = c.share
	}
	cat := cats[g.weighted(shares...)]
	s := slots{
		order:   fmt.Sprintf("SO2026%02d%02d%03d", 1+g.r.IntN(11), 1+g.r.IntN(28), g.r.IntN(1000)),
		product: pick(g, products()),
		courier: pick(g, couriers()),
		city:    pick(g, cities()),
		amount:  fmt.Sprint(19 + g.r.IntN(60)*10),
		days:    fmt.Sprint(2 + g.r.IntN(6)),
		code:    fmt.Sprintf("E%02d", 1+g.r.IntN(20)),
		coupon:  pick(g, coupons()),
	}
	tpl := templates()[cat.Value]
	req := pick(g, g.requesters)
	agent := pick(g, g.agents)

	created := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC).
		Add(time.Duration(g.r.IntN(329)) * 24 * time.Hour).
		Add(time.Duration(g.r.IntN(12*60)) * time.Minute)
	at := created
	stamp := func(t time.Time) string { return t.Format(time.RFC3339) }

	// Real tickets are not all clear: some titles say nothing, some bodies
	// are vague, some mix in another category's problem, and agents file
	// a few under the wrong category.
	title := s.fill(pick(g, tpl.titles))
	if g.r.IntN(100) < 15 {
		title = s.fill(pick(g, vagueTitles()))
	}
	core := pick(g, tpl.bodies)
	switch n := g.r.IntN(100); {
	case n < 6:
		core = pick(g, vagueBodies())
	case n < 12:
		core = pick(g, vagueBodies()) + pick(g, tpl.details)
	case n < 30:
		other := pick(g, confusable()[cat.Value])
		mixed := []string{core, pick(g, templates()[other].bodies)}
		g.r.Shuffle(2, func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
		core = mixed[0] + mixed[1]
	}
	body := s.fill(pick(g, openings()) + core + g.extra(cat.Value, s) + pick(g, closings()))
	if g.r.IntN(100) < 5 {
		cat = cats[g.r.IntN(len(cats))] // filed under another category
	}

	statuses := []string{"closed", "solved", "open", "pending", "hold", "new"}
	status := statuses[g.weighted(72, 13, 6, 4, 2, 3)]
	t := ticket{
		URL: fmt.Sprintf("https://shop-example.zendesk.com/api/v2/tickets/%d.json", id), ID: id,
		Via:       map[string]any{"channel": []string{"email", "web", "chat", "voice", "api", "native_messaging"}[g.weighted(35, 30, 15, 10, 5, 5)]},
		CreatedAt: stamp(created), Subject: title, Description: body, Status: status,
		RequesterID: req.ID, SubmitterID: req.ID,
		Tags:         []string{cat.Value},
		CustomFields: []field{{CategoryFieldID, cat.Value}, {OrderFieldID, s.order}},
		category:     cat.Name,
	}
	if p := []string{"urgent", "high", "normal", "low", ""}[g.weighted(5, 20, 60, 10, 5)]; p != "" {
		t.Priority = &p
	}
	ty := []string{"question", "incident", "problem", "task"}[g.weighted(50, 30, 10, 10)]
	t.Type = &ty
	for _, tag := range tpl.tags {
		if g.r.IntN(3) == 0 {
			t.Tags = append(t.Tags, tag)
		}
	}

	t.Comments = append(t.Comments, g.comment(req.ID, body, true, at, g.r.IntN(6) == 0))
	if status != "new" {
		a := agent.ID
		t.AssigneeID = &a
		grp := int64(501 + g.r.IntN(3))
		t.GroupID = &grp
		at = at.Add(time.Duration(10+g.r.IntN(8*60)) * time.Minute)
		if g.r.IntN(3) == 0 {
			t.Comments = append(t.Comments, g.comment(agent.ID, s.fill(pick(g, tpl.notes)), false, at, false))
			at = at.Add(time.Duration(5+g.r.IntN(60)) * time.Minute)
		}
		reply := s.fill(pick(g, replyOpen()) + pick(g, tpl.replies) + pick(g, replyClose()))
		c := g.comment(agent.ID, "", true, at, false)
		c.HTMLBody = "<div class=\"zd-comment\"><p>" + strings.ReplaceAll(htmlEscape(reply), "\n", "</p><p>") + "</p></div>"
		t.Comments = append(t.Comments, c)
		if g.r.IntN(4) == 0 {
			at = at.Add(time.Duration(30+g.r.IntN(24*60)) * time.Minute)
			t.Comments = append(t.Comments, g.comment(req.ID, pick(g, followUps()), true, at, false))
			at = at.Add(time.Duration(10+g.r.IntN(6*60)) * time.Minute)
			t.Comments = append(t.Comments, g.comment(agent.ID, pick(g, finalReplies()), true, at, false))
		}
	}
	updated := at
	switch status {
	case "solved":
		t.solvedAt = stamp(at)
	case "closed":
		t.solvedAt = stamp(at)
		updated = at.Add(4 * 24 * time.Hour) // closed by the 4-day automation
		if g.r.IntN(5) == 0 {
			score := []string{"good", "bad"}[g.weighted(85, 15)]
			t.Satisfaction = map[string]string{"score": score}
		}
	}
	if t.Satisfaction == nil {
		t.Satisfaction = map[string]string{"score": "unoffered"}
	}
	t.UpdatedAt = stamp(updated)
	return t
}

func (g *gen) comment(author int64, body string, public bool, at time.Time, attach bool) comment {
	g.commentID++
	c := comment{ID: 9000000 + g.commentID, Type: "Comment", AuthorID: author, Body: body, Public: public, CreatedAt: at.Format(time.RFC3339), Attachments: []attachment{}}
	if attach {
		g.attachID++
		name := pick(g, []string{"截图.png", "照片.jpg", "订单详情.png", "发票.pdf"})
		ct := map[string]string{".png": "image/png", ".jpg": "image/jpeg", ".pdf": "application/pdf"}[name[strings.LastIndexByte(name, '.'):]]
		c.Attachments = append(c.Attachments, attachment{
			ID: 8000000 + g.attachID, FileName: name, ContentType: ct, Size: int64(20000 + g.r.IntN(400000)),
			ContentURL: fmt.Sprintf("https://shop-example.zendesk.com/attachments/token/t%07d/?name=file", g.attachID),
		})
	}
	return c
}

// extra sometimes adds a sentence: a detail of the same category, or one
// borrowed from another (a repair ticket that threatens a refund), as
// real tickets do.
func (g *gen) extra(cat string, s slots) string {
	switch n := g.r.IntN(10); {
	case n < 4:
		return pick(g, templates()[cat].details)
	case n == 4:
		other := Categories()[g.r.IntN(len(Categories()))].Value
		return pick(g, templates()[other].details)
	}
	return ""
}

func (g *gen) writePage(w *bufio.Writer, tickets []ticket, last bool) error {
	seen := map[int64]bool{}
	var users []user
	add := func(id int64) {
		if seen[id] {
			return
		}
		seen[id] = true
		for _, u := range append(g.requesters, g.agents...) {
			if u.ID == id {
				users = append(users, u)
				return
			}
		}
	}
	w.WriteString("{\"tickets\":[\n")
	var metrics []map[string]any
	for i, t := range tickets {
		add(t.RequesterID)
		if t.AssigneeID != nil {
			add(*t.AssigneeID)
		}
		for _, c := range t.Comments {
			add(c.AuthorID)
		}
		if t.solvedAt != "" {
			metrics = append(metrics, map[string]any{"ticket_id": t.ID, "solved_at": t.solvedAt})
		}
		b, err := marshal(t)
		if err != nil {
			return err
		}
		w.Write(b)
		if i < len(tickets)-1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	cursor := fmt.Sprintf("c%d", tickets[len(tickets)-1].ID)
	rest, err := marshal(map[string]any{
		"users": users,
		"groups": []map[string]any{
			{"id": 501, "name": "售后组"}, {"id": 502, "name": "支付结算组"}, {"id": 503, "name": "物流组"},
		},
		"metric_sets":   metrics,
		"after_url":     "https://shop-example.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=" + cursor,
		"after_cursor":  cursor,
		"before_url":    nil,
		"before_cursor": nil,
		"end_of_stream": last,
	})
	if err != nil {
		return err
	}
	w.WriteString("],\n")
	w.Write(rest[1:]) // the object's members, after its '{'
	_, err = w.WriteString("\n")
	return err
}

func (g *gen) writeLines(w *bufio.Writer, tickets []ticket) error {
	for _, t := range tickets {
		for _, u := range g.requesters {
			if u.ID == t.RequesterID {
				t.Requester = &u
				break
			}
		}
		b, err := marshal(t)
		if err != nil {
			return err
		}
		w.Write(b)
		if _, err := w.WriteString("\n"); err != nil {
			return err
		}
	}
	return nil
}

// marshal writes JSON as Zendesk does, without escaping <, > and & in
// HTML bodies.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
