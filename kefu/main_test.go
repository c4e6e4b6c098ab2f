package kefu_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/app"
	"github.com/triagehq/triage/kefu"
	"github.com/triagehq/triage/otel"
	"github.com/triagehq/triage/postgres/pgtest"
	"github.com/triagehq/triage/seal"
	"github.com/triagehq/triage/segment"
	"github.com/triagehq/triage/wechat/wechattest"
)

// The tests build the application as the binary does (package app) on a
// real SQLite store, against a fake 企业微信 (package wechattest) that
// follows the documented protocol: it signs and encrypts notifications to
// the application's real callback route, serves kf/sync_msg with opaque
// cursors and kf/send_msg with the 48-hour window, on a clock the tests
// move.

var (
	segOnce sync.Once
	segVal  *segment.Segmenter
	segErr  error
)

func sharedSegmenter(t testing.TB) *segment.Segmenter {
	t.Helper()
	segOnce.Do(func() { segVal, segErr = segment.New(segment.Options{}) })
	if segErr != nil {
		t.Fatal(segErr)
	}
	return segVal
}

// env is one application wired to one fake corp.
type env struct {
	t       testing.TB
	ctx     context.Context
	app     *app.App
	wx      *kefu.Service
	fake    *wechattest.Server
	http    *httptest.Server
	kf      string // the fake's one 客服账号
	team    *triage.Team
	channel *triage.WeChatChannel
}

type opts struct {
	start    bool // run jobs (the sync, media and send jobs)
	pageSize int
	postgres bool // on a PostgreSQL database of its own, else SQLite
	tracing  *otel.Tracing
	// configure changes the application's configuration before it opens.
	configure func(*app.Config)
}

// stores runs fn on SQLite and, when TRIAGE_TEST_POSTGRES is set, on
// PostgreSQL too.
func stores(t *testing.T, fn func(t *testing.T, pg bool)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, false) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv("TRIAGE_TEST_POSTGRES") == "" {
			t.Skip("SKIP: TRIAGE_TEST_POSTGRES is not set")
		}
		fn(t, true)
	})
}

func newEnv(t testing.TB, o opts) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background()}
	// The fake's clock starts now, so the desk's clock (real time, for
	// solved_at) and the channel's (the fake's) agree until a test moves
	// the fake's.
	e.fake = wechattest.New(wechattest.Options{Start: time.Now().Truncate(time.Second), PageSize: o.pageSize})
	t.Cleanup(e.fake.Close)
	e.kf = e.fake.AddAccount("极光商城售后")
	cfg := app.Config{DataDir: t.TempDir(), MemIndex: true, Segmenter: sharedSegmenter(t), Addr: "127.0.0.1:8080",
		Log: slog.New(slog.DiscardHandler), WeChatAPI: e.fake.URL, WeChatNow: e.fake.Clock.Now}
	cfg.Tracing = o.tracing
	if o.configure != nil {
		o.configure(&cfg)
	}
	if o.postgres {
		key, err := seal.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		cfg.DB, cfg.SecretKey = pgtest.NewDatabase(t), key
	}
	a, err := app.Open(e.ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e.app, e.wx = a, a.WeChat
	e.http = httptest.NewServer(a.Server.Handler())
	t.Cleanup(e.http.Close)
	if o.start {
		ctx, cancel := context.WithCancel(context.Background())
		if _, err := a.Start(ctx, nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cancel()
			sctx, c2 := context.WithTimeout(context.Background(), 10*time.Second)
			defer c2()
			_ = a.Jobs.Stop(sctx)
		})
	}
	if e.team, err = a.Desk.CreateTeam(e.ctx, triage.NewTeam{Name: "微信售后组"}, nil); err != nil {
		t.Fatal(err)
	}
	pause := 1
	e.channel, err = e.wx.CreateChannel(e.ctx, triage.NewWeChatChannel{Name: "极光商城微信客服", CorpID: e.fake.CorpID, Secret: e.fake.Secret,
		Token: e.fake.Token, EncodingAESKey: e.fake.EncodingAESKey, Accounts: []triage.WeChatAccount{{OpenKfID: e.kf, TeamID: e.team.ID}},
		PauseSeconds: &pause}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.fake.SetCallbackURL(e.http.URL + "/channels/wechat/" + e.channel.ID)
	return e
}

// customer lists a customer's records, newest first.
func (e *env) customer(user string) []*triage.WeChatMessage {
	e.t.Helper()
	recs, err := e.app.Store.WeChatCustomer(e.ctx, e.channel.ID, user, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return recs
}

func (e *env) ticket(id string) *triage.Ticket {
	e.t.Helper()
	tk, err := e.app.Desk.Ticket(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

// waitFor polls cond until it holds.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func asError(err error, target **triage.Error) bool { return errors.As(err, target) }
