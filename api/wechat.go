package api

import (
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/triagehq/triage"
	"github.com/triagehq/triage/kefu"
	"github.com/triagehq/triage/wechat"
)

// WeChat configures the WeChat channel's routes (微信客服).
type WeChat struct {
	// Service is the channel; nil answers its routes with 503.
	Service *kefu.Service
}

func callbackParams() []Param {
	return []Param{
		{"msg_signature", "string", "企业微信's signature over the Token, timestamp, nonce and payload"},
		{"timestamp", "string", "Unix seconds; refused more than five minutes from now"},
		{"nonce", "string", "random; a signed request is accepted once"},
		{"echostr", "string", "URL verification only: the encrypted text to answer decrypted"},
	}
}

// wechatRoutes are the WeChat channel's routes: the admin's, the ticket
// page's reply window, and the callback URL 企业微信 calls (no login: its
// signature is the credential).
func (s *Server) wechatRoutes() []Route {
	routes := []Route{
		{Method: "GET", Path: "/v1/wechat/channels", Tag: "wechat", Summary: "The connected 企业微信 corps (微信客服), with their accounts' teams and last error (never a secret)", Roles: admins(), Handler: s.listWeChatChannels, Response: List[triage.WeChatChannel]{}},
		{Method: "POST", Path: "/v1/wechat/channels", Tag: "wechat", Summary: "Connect a corp: corp id, 微信客服 secret, callback Token and EncodingAESKey (stored sealed, never shown again), open_kfid → team", Roles: admins(), Handler: s.createWeChatChannel, Request: triage.NewWeChatChannel{}, Response: triage.WeChatChannel{}, Status: http.StatusCreated},
		{Method: "GET", Path: "/v1/wechat/channels/:id", Tag: "wechat", Summary: "Get a channel", Roles: admins(), Handler: s.getWeChatChannel, Response: triage.WeChatChannel{}},
		{Method: "PATCH", Path: "/v1/wechat/channels/:id", Tag: "wechat", Summary: "Change a channel; secrets not sent stay as they are", Roles: admins(), Handler: s.updateWeChatChannel, Request: triage.WeChatChannelUpdate{}, Response: triage.WeChatChannel{}, Conditional: true},
		{Method: "DELETE", Path: "/v1/wechat/channels/:id", Tag: "wechat", Summary: "Disconnect a corp; what it brought in stays", Roles: admins(), Handler: s.deleteWeChatChannel, Status: http.StatusNoContent, Conditional: true},
		{Method: "POST", Path: "/v1/wechat/channels/:id/test", Tag: "wechat", Summary: "Test a channel: gettoken, kf/account/list, the mapped accounts exist, the callback keys work", Roles: admins(), Handler: s.testWeChatChannel, Response: kefu.CheckResult{}},
		{Method: "POST", Path: "/v1/wechat/channels/:id/sync", Tag: "wechat", Summary: "Read the channel's new messages now, without waiting for a notification", Roles: admins(), Handler: s.syncWeChatChannel, Status: http.StatusAccepted},
		{Method: "GET", Path: "/v1/tickets/:id/wechat", Tag: "wechat", Summary: "Whether a public reply can reach the ticket's WeChat customer now (48-hour window, replies left), and its messages in and out with their delivery state", Roles: anyone(), Handler: s.ticketWeChat, Response: kefu.ReplyState{}},
		{Method: "GET", Path: "/channels/wechat/:id", Tag: "wechat", Summary: "企业微信's URL verification of the callback URL: answers the decrypted echostr", Handler: s.wechatVerify, Query: callbackParams()},
		{Method: "POST", Path: "/channels/wechat/:id", Tag: "wechat", Summary: "企业微信's encrypted notifications; forged, stale, replayed or another corp's are refused", Handler: s.wechatNotify, Query: callbackParams(),
			Request: RawXML{}, RequestType: "text/xml", BodyLimit: wechat.MaxBodyLen},
	}
	for i := range routes {
		routes[i].Handler = s.needWeChat(routes[i].Handler)
	}
	return routes
}

// RawXML documents an XML body.
type RawXML struct{}

func (s *Server) needWeChat(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.wechat.Service == nil {
			return triage.Errorf(triage.EUNAVAILABLE, "the WeChat channel is not configured on this server")
		}
		return h(c)
	}
}

func (s *Server) listWeChatChannels(c echo.Context) error {
	items, err := s.wechat.Service.Channels(c.Request().Context())
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, List[*triage.WeChatChannel]{Items: items})
}

func (s *Server) createWeChatChannel(c echo.Context) error {
	var in triage.NewWeChatChannel
	if err := s.decode(c, &in); err != nil {
		return err
	}
	ch, err := s.wechat.Service.CreateChannel(c.Request().Context(), in, idem(c, http.StatusCreated))
	if err != nil {
		return err
	}
	return created(c, "/v1/wechat/channels/"+ch.ID, ch.Version, ch)
}

func (s *Server) getWeChatChannel(c echo.Context) error {
	ch, err := s.wechat.Service.Channel(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, ch.Version, ch)
}

func (s *Server) updateWeChatChannel(c echo.Context) error {
	return update(s, c, s.wechat.Service.UpdateChannel, func(ch *triage.WeChatChannel) int { return ch.Version })
}

func (s *Server) deleteWeChatChannel(c echo.Context) error {
	return remove(c, s.wechat.Service.DeleteChannel)
}

func (s *Server) testWeChatChannel(c echo.Context) error {
	r, err := s.wechat.Service.Test(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, r)
}

func (s *Server) syncWeChatChannel(c echo.Context) error {
	if err := s.wechat.Service.SyncNow(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

func (s *Server) ticketWeChat(c echo.Context) error {
	st, err := s.wechat.Service.ReplyState(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return send(c, http.StatusOK, 0, st)
}

func (s *Server) wechatVerify(c echo.Context) error {
	echo, err := s.wechat.Service.VerifyURL(c.Request().Context(), c.Param("id"), c.QueryParams())
	if err != nil {
		return err
	}
	return c.String(http.StatusOK, echo)
}

func (s *Server) wechatNotify(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, wechat.MaxBodyLen+1))
	if err != nil {
		return triage.Invalid("body", "the notification could not be read: %v", err)
	}
	if err := s.wechat.Service.Notify(c.Request().Context(), c.Param("id"), c.QueryParams(), body); err != nil {
		return err
	}
	// 企业微信 takes any 200 within five seconds as received.
	return c.String(http.StatusOK, "success")
}
