// Package kefu is the WeChat channel (微信客服 through 企业微信): it turns
// what customers write on 微信 into tickets and comments through the desk,
// and sends agents' public replies back. Package wechat is its technology
// (the API, the callback's crypto, the reply window); this package decides
// what a message means.
//
// Inbound, a notification at the callback URL only says "something is
// new": it queues a sync job (after a short pause, so that what a customer
// writes in one go is read and triaged together). The job reads kf/sync_msg
// page by page; one page is one store transaction holding its records
// (unique per channel by msgid), the tickets and comments they made and the
// cursor after them, so a crash at any point repeats a page at most, and
// the msgids make the repeat a no-op. Media (images, voice, video, files)
// are fetched with media/get by another job, outside any transaction, and
// attached to the ticket or comment they came with.
//
// Outbound, a public reply on a WeChat ticket is checked against WeChat's
// window (48 hours after the customer's last message, five replies in it)
// inside the transaction that would store it: outside the window the reply
// is refused (409, field "wechat") and never stored; inside it is queued
// with the comment and sent by a durable job with kf/send_msg, and each
// comment shows where its message stands.
package kefu

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/desk"
	"github.com/triagehq/triage/seal"
	"github.com/triagehq/triage/wechat"
)

// Service is the WeChat channel. Set Store, Desk and Queue; the zero values
// of the rest are defaults.
type Service struct {
	Store triage.Store
	Desk  *desk.Service
	// Queue takes the sync jobs a notification asks for.
	Queue triage.Queue
	// Locker lets one process of several read a channel at a time; nil
	// reads without a lock.
	Locker triage.Locker
	// Keys seal the channels' secrets at rest. Without a key, channels
	// cannot be saved.
	Keys *seal.Keyring
	// BaseURL replaces 企业微信's API address (tests: a wechattest server).
	BaseURL string
	// HTTPClient calls 企业微信; nil uses the wechat package's default.
	HTTPClient *http.Client
	// Bot answers a new session first when a channel asks for it; nil
	// leaves every session to people.
	Bot Bot
	// Window is the reply rule checked before a reply is stored.
	Window wechat.Window
	Log    *slog.Logger
	// Now is the clock of the reply window, the callback's freshness
	// check and the records; nil means time.Now.
	Now func() time.Time

	mu        sync.Mutex
	clients   map[string]cached[*wechat.Client]
	callbacks map[string]cached[*wechat.Callback]
}

// cached is a per-channel object built from the channel's settings at one
// version; a newer version builds a new one.
type cached[T any] struct {
	version int
	v       T
}

// HTTPTimeout bounds one exchange with 企业微信 (a 20 MB media download
// included), for a HTTPClient built by the wiring.
const HTTPTimeout = wechat.DefaultTimeout

// MaxSendAttempts is how often a reply 企业微信 cannot take now (busy,
// rate-limited, unreachable) is tried before it is failed.
const MaxSendAttempts = 8

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Jobs are the jobs the channel does.
func (s *Service) Jobs() []triage.JobSpec {
	return []triage.JobSpec{JobSync.Handle(s.Sync), JobMedia.Handle(s.fetchMedia), JobSend.Handle(s.send), JobBot.Handle(s.bot),
		JobWelcome.Handle(s.welcome)}
}

// secretsAAD binds sealed secrets to their channel.
func secretsAAD(id string) string { return "wechat:" + id + ":secrets" }

// secrets opens a channel's sealed secrets.
func (s *Service) secrets(c *triage.WeChatChannel) (triage.WeChatSecrets, error) {
	var out triage.WeChatSecrets
	if c.SecretsSealed == "" {
		return out, triage.Errorf(triage.ECONFLICT, "WeChat channel %s has no secrets stored", c.ID)
	}
	b, err := s.Keys.Open(c.SecretsSealed, secretsAAD(c.ID))
	if err != nil {
		return out, err
	}
	return out, jsonUnmarshal(b, &out)
}

// client returns the API client of a channel, cached per version so that
// its access_token is fetched once and reused until it expires.
func (s *Service) client(c *triage.WeChatChannel) (*wechat.Client, error) {
	s.mu.Lock()
	if e, ok := s.clients[c.ID]; ok && e.version == c.Version {
		s.mu.Unlock()
		return e.v, nil
	}
	s.mu.Unlock()
	sec, err := s.secrets(c)
	if err != nil {
		return nil, err
	}
	cl, err := wechat.NewClient(wechat.Config{CorpID: c.CorpID, Secret: sec.Secret, BaseURL: s.BaseURL, HTTPClient: s.HTTPClient, Now: s.Now})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clients == nil {
		s.clients = map[string]cached[*wechat.Client]{}
	}
	s.clients[c.ID] = cached[*wechat.Client]{c.Version, cl}
	return cl, nil
}

// callback returns the callback checker of a channel, cached per version:
// its replay memory must outlive one request.
func (s *Service) callback(c *triage.WeChatChannel) (*wechat.Callback, error) {
	s.mu.Lock()
	if e, ok := s.callbacks[c.ID]; ok && e.version == c.Version {
		s.mu.Unlock()
		return e.v, nil
	}
	s.mu.Unlock()
	sec, err := s.secrets(c)
	if err != nil {
		return nil, err
	}
	cb, err := wechat.NewCallback(wechat.CallbackConfig{Token: sec.Token, EncodingAESKey: sec.EncodingAESKey, CorpID: c.CorpID, Now: s.Now})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.callbacks == nil {
		s.callbacks = map[string]cached[*wechat.Callback]{}
	}
	if e, ok := s.callbacks[c.ID]; ok && e.version == c.Version {
		return e.v, nil // built by another request meanwhile: keep its memory
	}
	s.callbacks[c.ID] = cached[*wechat.Callback]{c.Version, cb}
	return cb, nil
}

// why makes a reason of the catalogue.
func why(code triage.ReasonCode, args ...any) *triage.Reason {
	r := triage.NewReason(code, args...)
	return &r
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
