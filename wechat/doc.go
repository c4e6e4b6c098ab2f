// Package wechat speaks to 企业微信 (WeCom) for the 微信客服 (WeChat
// Customer Service) channel: customers write from 微信 (公众号, 小程序,
// 视频号, web pages, apps) to a 客服账号 (open_kfid) administered in
// 企业微信, and the helpdesk answers them through the same API.
//
// Three parts, each usable on its own:
//
//   - Callback: the callback URL's side of 企业微信's "加解密方案". It
//     answers URL verification (GET with msg_signature, timestamp, nonce,
//     echostr) and opens encrypted notifications (POST, XML with Encrypt),
//     refusing anything whose signature, corp id or freshness is wrong and
//     anything seen before (replays). Crypto holds the primitives.
//   - Client: the HTTP API (gettoken with a cached access_token, kf/account
//     /list, kf/sync_msg, kf/send_msg, kf/send_msg_on_event, media/upload,
//     media/get, kf/service_state/get and /trans). Errors are *APIError,
//     sorted by Kind so callers know whether to retry, refresh, give up or
//     tell the agent the customer can no longer be reached on WeChat.
//   - Window: WeChat's reply window (48 hours after the customer's last
//     message, at most five replies in it), checked before sending.
//
// Package wechattest is a fake 企业微信 server that follows the documented
// protocol, for tests of everything above and of the wiring that uses it.
//
// The package imports only the domain root (for triage.Error on input that
// the caller can fix); it knows nothing of tickets, stores or jobs.
package wechat
