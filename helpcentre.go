package triage

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ArticleVisibility says who may read a knowledge-base article: agents only,
// or anyone, on the public help centre. Only a published public article is
// shown there.
type ArticleVisibility string

const (
	ArticleInternal ArticleVisibility = "internal"
	ArticlePublic   ArticleVisibility = "public"
)

// ArticleVisibilities lists every visibility, the default first.
func ArticleVisibilities() []ArticleVisibility {
	return []ArticleVisibility{ArticleInternal, ArticlePublic}
}

// Valid reports whether v is a known visibility.
func (v ArticleVisibility) Valid() bool { return slices.Contains(ArticleVisibilities(), v) }

// ValidateVisibility checks v, taking "" as internal: an article nobody
// marked public stays internal.
func ValidateVisibility(v *ArticleVisibility) error {
	if *v == "" {
		*v = ArticleInternal
	}
	if !v.Valid() {
		return Invalid("visibility", "visibility %q is not internal or public", *v)
	}
	return nil
}

// OnHelpCentre reports whether a may be shown to anyone, without signing
// in: it is public and published. Every public page asks this of every
// article it shows.
func (a *Article) OnHelpCentre() bool {
	return a != nil && a.Visibility == ArticlePublic && a.Status == ArticlePublished
}

// ArticleVote is a help-centre reader's answer to "这篇文章有帮助吗？". Votes
// are anonymous: the KB gap report counts them per article.
type ArticleVote struct {
	ID        string    `json:"id"`
	ArticleID string    `json:"article_id"`
	Helpful   bool      `json:"helpful"`
	CreatedAt time.Time `json:"created_at"`
}

// ArticleVoteCount sums the votes on one article.
type ArticleVoteCount struct {
	ArticleID string `json:"article_id"`
	Helpful   int    `json:"helpful"`
	Unhelpful int    `json:"unhelpful"`
}

// HelpSettings brand the public help centre: the company's name in every
// title and header, and its logo. The zero value is a help centre without
// a logo, named by DefaultHelpName.
type HelpSettings struct {
	CompanyName string `json:"company_name"`
	// LogoType is the logo's media type, "" when there is none; Logo is
	// its bytes, served at /help/logo.
	LogoType string `json:"logo_type"`
	Logo     []byte `json:"-"`
	// AskCategory shows a category choice on the request form (the
	// categories of the public articles).
	AskCategory bool `json:"ask_category"`
	// ConfirmEmail holds a request-form ticket until its customer
	// follows a link mailed to the address they gave (an e-mail address
	// is then required).
	ConfirmEmail bool `json:"confirm_email"`
	// WidgetOrigins are the sites (scheme://host[:port]) that may embed
	// the help widget and call its endpoints from the browser.
	WidgetOrigins []string `json:"widget_origins"`
	// SMSWebhookURL, when set, lets requesters sign in to "my tickets"
	// by a code sent by SMS: triage posts the phone number and the code
	// there, signed with SMSSecret as webhooks are (X-Triage-Signature),
	// and the company's own system sends the text. The secret is never
	// shown again; SMSSecretHint is its last characters.
	SMSWebhookURL string    `json:"sms_webhook_url"`
	SMSSecret     string    `json:"-"`
	SMSSecretHint string    `json:"sms_secret_hint"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// SMSSignIn reports whether requesters may sign in by an SMS code.
func (s *HelpSettings) SMSSignIn() bool { return s.SMSWebhookURL != "" && s.SMSSecret != "" }

// DefaultHelpName names a help centre whose company has not set a name.
const DefaultHelpName = "帮助中心"

// MaxLogoBytes bounds a help-centre logo.
const MaxLogoBytes = 256 << 10

// ValidateHelpSettings checks and normalises s. A logo must be PNG, JPEG,
// GIF or WebP by its bytes: an SVG could carry script, and the logo is
// served from the help centre's own origin.
func ValidateHelpSettings(s *HelpSettings) error {
	s.CompanyName = strings.TrimSpace(s.CompanyName)
	switch {
	case !utf8.ValidString(s.CompanyName) || utf8.RuneCountInString(s.CompanyName) > 100:
		return Invalid("company_name", "company_name must be valid text of at most 100 characters")
	case len(s.Logo) > MaxLogoBytes:
		return Invalid("logo", "logo is %d bytes; at most %d are allowed", len(s.Logo), MaxLogoBytes)
	}
	if s.WidgetOrigins == nil {
		s.WidgetOrigins = []string{}
	}
	if len(s.WidgetOrigins) > 50 {
		return Invalid("widget_origins", "at most 50 widget origins are allowed")
	}
	for i, o := range s.WidgetOrigins {
		clean, err := CleanOrigin(o)
		if err != nil {
			return err
		}
		s.WidgetOrigins[i] = clean
	}
	s.WidgetOrigins = slices.Compact(s.WidgetOrigins)
	if err := validateSMS(s); err != nil {
		return err
	}
	if len(s.Logo) == 0 {
		s.LogoType = ""
		return nil
	}
	s.LogoType = http.DetectContentType(s.Logo)
	switch s.LogoType {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return nil
	}
	return Invalid("logo", "logo must be a PNG, JPEG, GIF or WebP image, not %s", s.LogoType)
}

// HelpSettingsUpdate changes the branding; a field left out stays as it
// is.
type HelpSettingsUpdate struct {
	CompanyName Opt[string] `json:"company_name"`
	// Logo is the image, base64 (standard, padded); null or "" removes
	// it.
	Logo Opt[string] `json:"logo"`
	// AskCategory and WidgetOrigins: see HelpSettings.
	AskCategory   Opt[bool]     `json:"ask_category"`
	ConfirmEmail  Opt[bool]     `json:"confirm_email"`
	WidgetOrigins Opt[[]string] `json:"widget_origins"`
	// SMSWebhookURL and SMSSecret: see HelpSettings; "" or null for the
	// URL turns SMS sign-in off (and forgets the secret).
	SMSWebhookURL Opt[string] `json:"sms_webhook_url"`
	SMSSecret     Opt[string] `json:"sms_secret"`
}

// MinSMSSecret is the shortest SMS webhook secret accepted.
const MinSMSSecret = 16

// validateSMS checks the SMS webhook: an http(s) URL with a host, and a
// secret long enough to sign with whenever there is a URL.
func validateSMS(s *HelpSettings) error {
	s.SMSWebhookURL = strings.TrimSpace(s.SMSWebhookURL)
	if s.SMSWebhookURL == "" {
		s.SMSSecret, s.SMSSecretHint = "", ""
		return nil
	}
	u, err := url.Parse(s.SMSWebhookURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(s.SMSWebhookURL) > 2000 {
		return Invalid("sms_webhook_url", "sms_webhook_url must be an http(s) URL with a host")
	}
	if utf8.RuneCountInString(s.SMSSecret) < MinSMSSecret || len(s.SMSSecret) > 200 {
		return Invalid("sms_secret", "sms_secret must be %d to 200 characters when sms_webhook_url is set", MinSMSSecret)
	}
	s.SMSSecretHint = SecretHint(s.SMSSecret)
	return nil
}

// PhoneDigits is a phone number as requesters are matched by it: digits
// only, without a leading +86 or 0086. "" when p has no digits.
func PhoneDigits(p string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, p)
	for _, prefix := range []string{"0086", "86"} {
		if strings.HasPrefix(d, prefix) && len(d)-len(prefix) == 11 {
			return d[len(prefix):]
		}
	}
	return d
}

// CleanOrigin checks a widget origin: https (or http for localhost) and a
// host, nothing else; returned lower-cased.
func CleanOrigin(o string) (string, error) {
	o = strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
		(u.Scheme != "https" && !(u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1"))) {
		return "", Invalid("widget_origins", "origin %q must be https://host[:port] (http only for localhost)", o)
	}
	return u.Scheme + "://" + u.Host, nil
}

// HelpReader holds the store's reads for the help centre.
type HelpReader interface {
	// ArticleVoteCounts sums the votes cast at or after since, per
	// article: most unhelpful first, then by article id.
	ArticleVoteCounts(ctx context.Context, since time.Time) ([]ArticleVoteCount, error)
	// HelpSettings returns the branding; the zero settings when an admin
	// never set any.
	HelpSettings(ctx context.Context) (*HelpSettings, error)
}

// HelpWriter holds the store's writes for the help centre.
type HelpWriter interface {
	// AddArticleVote stores one vote; ENOTFOUND when the article does not
	// exist.
	AddArticleVote(ctx context.Context, v *ArticleVote) error
	// PutHelpSettings replaces the branding.
	PutHelpSettings(ctx context.Context, s *HelpSettings) error
}
