package kefu

import (
	"context"
	"encoding/json"

	"github.com/triagehq/triage"
	"github.com/triagehq/triage/wechat"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// seal seals a channel's secrets with the service's key.
func (s *Service) seal(id string, sec triage.WeChatSecrets) (string, error) {
	if !s.Keys.Configured() {
		return "", &triage.Error{Code: triage.EUNAVAILABLE, Field: "secret",
			Message: "no encryption key is configured, so WeChat secrets cannot be stored safely: set TRIAGE_SECRET_KEY (32 random bytes in base64, e.g. `openssl rand -base64 32`) on every replica and restart"}
	}
	b, err := json.Marshal(sec)
	if err != nil {
		return "", err
	}
	return s.Keys.Seal(b, secretsAAD(id))
}

// checkSecrets checks the secrets as 企业微信 gives them, naming the field.
func checkSecrets(corpID string, sec triage.WeChatSecrets) error {
	switch {
	case sec.Secret == "" || len(sec.Secret) > 128:
		return triage.Invalid("secret", "secret (微信客服 → API → 可调用接口的应用 → Secret) is required")
	case sec.Token == "":
		return triage.Invalid("token", "token (the callback's Token, set beside the callback URL) is required")
	case sec.EncodingAESKey == "":
		return triage.Invalid("encoding_aes_key", "encoding_aes_key (the callback's EncodingAESKey, 43 characters) is required")
	}
	if _, err := wechat.NewCrypto(sec.Token, sec.EncodingAESKey, corpID); err != nil {
		return err
	}
	return nil
}

func checkTeams(ctx context.Context, r triage.Reader, c *triage.WeChatChannel) error {
	ids := []string{c.TeamID}
	fields := []string{"team_id"}
	for _, a := range c.Accounts {
		ids, fields = append(ids, a.TeamID), append(fields, "accounts")
	}
	for i, id := range ids {
		if id == "" {
			continue
		}
		if _, err := r.Team(ctx, id); triage.IsCode(err, triage.ENOTFOUND) {
			return triage.Invalid(fields[i], "team_id %q names no team", id)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Channels lists the connected corps.
func (s *Service) Channels(ctx context.Context) ([]*triage.WeChatChannel, error) {
	return s.Store.WeChatChannels(ctx)
}

// Channel returns one.
func (s *Service) Channel(ctx context.Context, id string) (*triage.WeChatChannel, error) {
	return s.Store.WeChatChannel(ctx, id)
}

// CreateChannel validates and stores a new channel, its secrets sealed.
func (s *Service) CreateChannel(ctx context.Context, in triage.NewWeChatChannel, idem *triage.Idempotency) (*triage.WeChatChannel, error) {
	now := s.now()
	c := &triage.WeChatChannel{ID: triage.NewID(), Name: in.Name, CorpID: in.CorpID, Accounts: in.Accounts, TeamID: in.TeamID,
		ReopenHours: in.ReopenHours, PauseSeconds: triage.DefaultWeChatPauseSeconds, Enabled: in.Enabled == nil || *in.Enabled,
		Bot: in.Bot, BotServicer: in.BotServicer, Welcome: in.Welcome, CreatedAt: now, UpdatedAt: now}
	if in.PauseSeconds != nil {
		c.PauseSeconds = *in.PauseSeconds
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	sec := triage.WeChatSecrets{Secret: in.Secret, Token: in.Token, EncodingAESKey: in.EncodingAESKey}
	if err := checkSecrets(c.CorpID, sec); err != nil {
		return nil, err
	}
	sealed, err := s.seal(c.ID, sec)
	if err != nil {
		return nil, err
	}
	c.SecretsSealed = sealed
	return triage.Write(ctx, s.Store, idem, now, nil, func(tx triage.Tx) (*triage.WeChatChannel, error) {
		if err := checkTeams(ctx, tx, c); err != nil {
			return nil, err
		}
		if err := tx.CreateWeChatChannel(ctx, c); err != nil {
			return nil, err
		}
		return c, nil
	})
}

// UpdateChannel changes a channel at version (0: any). Secrets not sent
// stay; those sent are sealed anew.
func (s *Service) UpdateChannel(ctx context.Context, id string, version int, u triage.WeChatChannelUpdate) (*triage.WeChatChannel, error) {
	return triage.Write(ctx, s.Store, nil, s.now(), nil, func(tx triage.Tx) (*triage.WeChatChannel, error) {
		c, err := tx.WeChatChannel(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := triage.CheckVersion("wechat channel "+id, c.Version, version); err != nil {
			return nil, err
		}
		if u.Name.Set {
			c.Name = u.Name.V
		}
		if u.CorpID.Set {
			c.CorpID = u.CorpID.V
		}
		if u.Accounts.Set {
			c.Accounts = u.Accounts.V
		}
		if u.TeamID.Set {
			c.TeamID = u.TeamID.V
		}
		if u.ReopenHours.Set {
			c.ReopenHours = u.ReopenHours.V
		}
		if u.PauseSeconds.Set {
			c.PauseSeconds = u.PauseSeconds.V
		}
		if u.Enabled.Set {
			c.Enabled = u.Enabled.V
		}
		if u.Bot.Set {
			c.Bot = u.Bot.V
		}
		if u.BotServicer.Set {
			c.BotServicer = u.BotServicer.V
		}
		if u.Welcome.Set {
			c.Welcome = u.Welcome.V
		}
		if err := c.Validate(); err != nil {
			return nil, err
		}
		sec, err := s.secrets(c)
		if err != nil {
			return nil, err
		}
		changed := u.CorpID.Set
		for _, f := range []struct {
			o   triage.Opt[string]
			dst *string
		}{{u.Secret, &sec.Secret}, {u.Token, &sec.Token}, {u.EncodingAESKey, &sec.EncodingAESKey}} {
			if f.o.Set && f.o.V != "" {
				*f.dst, changed = f.o.V, true
			}
		}
		if changed {
			if err := checkSecrets(c.CorpID, sec); err != nil {
				return nil, err
			}
			if c.SecretsSealed, err = s.seal(c.ID, sec); err != nil {
				return nil, err
			}
		}
		if err := checkTeams(ctx, tx, c); err != nil {
			return nil, err
		}
		c.UpdatedAt = s.now()
		if err := tx.UpdateWeChatChannel(ctx, c); err != nil {
			return nil, err
		}
		return c, nil
	})
}

// DeleteChannel removes a channel; what it brought in stays.
func (s *Service) DeleteChannel(ctx context.Context, id string, version int) error {
	return s.Store.Update(ctx, func(tx triage.Tx) error {
		c, err := tx.WeChatChannel(ctx, id)
		if err != nil {
			return err
		}
		if version == 0 {
			version = c.Version
		}
		return tx.DeleteWeChatChannel(ctx, id, version)
	})
}

// CheckResult is what a connection test found.
type CheckResult struct {
	OK bool `json:"ok"`
	// Steps are what was tried, in order: token (gettoken with the corp
	// id and secret), accounts (kf/account/list), callback (the Token and
	// EncodingAESKey are usable).
	Steps []CheckStep `json:"steps"`
	// Accounts are the corp's 客服账号, to map to teams.
	Accounts []wechat.Account `json:"accounts"`
}

// CheckStep is one step of a connection test.
type CheckStep struct {
	Step  string `json:"step"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Kind sorts a failure (config, unavailable, …) as package wechat does.
	Kind string `json:"kind,omitempty"`
}

// Test checks a stored channel against 企业微信: gettoken with its corp id
// and secret, then kf/account/list; every open_kfid mapped must exist.
func (s *Service) Test(ctx context.Context, id string) (*CheckResult, error) {
	c, err := s.Store.WeChatChannel(ctx, id)
	if err != nil {
		return nil, err
	}
	res := &CheckResult{Accounts: []wechat.Account{}}
	cl, err := s.client(c)
	if err != nil {
		return nil, err
	}
	step := func(name string, err error) bool {
		st := CheckStep{Step: name, OK: err == nil}
		if err != nil {
			st.Error, st.Kind = clip(err.Error(), 500), wechat.KindOf(err).String()
		}
		res.Steps = append(res.Steps, st)
		return err == nil
	}
	if !step("token", func() error { _, err := cl.AccessToken(ctx); return err }()) {
		return res, nil
	}
	accts, err := cl.Accounts(ctx)
	if !step("accounts", err) {
		return res, nil
	}
	res.Accounts = accts
	var missing error
	for _, a := range c.Accounts {
		found := false
		for _, x := range accts {
			found = found || x.OpenKfID == a.OpenKfID
		}
		if !found {
			missing = triage.Invalid("accounts", "open_kfid %s is not a 客服账号 of corp %s", a.OpenKfID, c.CorpID)
			break
		}
	}
	if !step("mapping", missing) {
		return res, nil
	}
	_, err = s.callback(c)
	res.OK = step("callback", err)
	return res, nil
}
