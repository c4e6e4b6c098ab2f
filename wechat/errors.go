package wechat

import (
	"errors"
	"fmt"
)

// Errcodes of 企业微信 that change what the client or its caller does. The
// descriptions are those of the global error code page
// (https://developer.work.weixin.qq.com/document/path/90313, "全局错误码");
// every other errcode is a permanent error of KindOther.
const (
	CodeBusy              = -1    // 系统繁忙: retry, at most 3 times says the doc
	CodeInvalidSecret     = 40001 // 不合法的secret参数
	CodeInvalidMediaType  = 40004 // 不合法的媒体文件类型
	CodeInvalidType       = 40005 // 不合法的type参数
	CodeInvalidFileSize   = 40006 // 不合法的文件大小
	CodeInvalidMediaID    = 40007 // 不合法的media_id参数
	CodeInvalidMsgType    = 40008 // 不合法的msgtype参数
	CodeInvalidImageSize  = 40009 // 上传图片大小不是有效值
	CodeInvalidVideoSize  = 40011 // 上传视频大小不是有效值
	CodeInvalidCorpID     = 40013 // 不合法的CorpID
	CodeInvalidToken      = 40014 // 不合法的access_token
	CodeEscapedChars      = 40033 // 不合法的请求字符: 不能包含\uxxxx格式的字符
	CodeInvalidParameter  = 40058 // 不合法的参数
	CodeInvalidExternalID = 40096 // 不合法的外部联系人userid
	CodeMissingToken      = 41001 // 缺少access_token参数
	CodeTokenExpired      = 42001 // access_token已过期
	CodeEmptyMedia        = 44001 // 多媒体文件为空
	CodeEmptyContent      = 44004 // 文本消息content参数为空
	CodeMediaTooLarge     = 45001 // 多媒体文件大小超过限制
	CodeContentTooLong    = 45002 // 消息内容大小超过限制 (text: 2048 bytes)
	CodeRateLimited       = 45009 // 接口调用超过限制
	CodeConcurrencyLimit  = 45033 // 接口并发调用超过限制
	CodeAPIForbidden      = 48002 // API接口无权限调用
	CodeUntrustedIP       = 60020 // 不安全的访问IP
	CodeInvalidOpenKfID   = 95000 // 不合法的open_kfid
	CodeReplyLimit        = 95001 // 发送客服消息次数限制 (5 after a customer message)
	CodeReplyWindow       = 95002 // 发送客服消息时间限制 (48 hours after it)
	CodeOpenKfIDNotExist  = 95004 // open_kfid不存在
	CodeInvalidMsgToken   = 95007 // 不合法的msgtoken (the callback's Token)
	CodeSessionEnded      = 95013 // 会话已经结束
	CodeNotServicer       = 95014 // 用户不是接待人员
	CodeBadTransition     = 95016 // 不允许这种状态转移
	CodeAPISwitchOff      = 95017 // 基础应用权限下，api开关处于关闭状态
	CodeSessionState      = 95018 // 发送客服消息时当前会话状态不允许发送 (or past 48 hours)
	CodeServicerNotActive = 95019 // 接待人员已停止接待或暂时挂起
)

// Kind sorts errors by what the caller should do about them.
type Kind int

const (
	// KindOther is permanent: the request is wrong and repeating it will
	// not help.
	KindOther Kind = iota
	// KindUnavailable: 企业微信 is busy or unreachable (errcode -1, an
	// HTTP 5xx, a transport error, an unreadable answer). Retry later.
	KindUnavailable
	// KindRateLimited: too many calls (45009, 45033). Retry after a
	// backoff.
	KindRateLimited
	// KindToken: the access_token was refused even after the client
	// fetched a new one. Retry later; persistent means a revoked app.
	KindToken
	// KindConfig: the corp id, secret, IP allow-list or API permission is
	// wrong. An admin must fix the connection; retrying will not help.
	KindConfig
	// KindCannotReply: WeChat will not deliver to this customer now: the
	// 48-hour window is over, its five replies are used, or the session's
	// state does not allow API messages. Offer another channel.
	KindCannotReply
)

func (k Kind) String() string {
	switch k {
	case KindUnavailable:
		return "unavailable"
	case KindRateLimited:
		return "rate_limited"
	case KindToken:
		return "token"
	case KindConfig:
		return "config"
	case KindCannotReply:
		return "cannot_reply"
	}
	return "other"
}

// Sentinels for errors.Is on an *APIError.
var (
	ErrUnavailable = errors.New("wechat: 企业微信 unavailable")
	ErrRateLimited = errors.New("wechat: rate limited")
	ErrToken       = errors.New("wechat: access_token refused")
	ErrConfig      = errors.New("wechat: connection misconfigured")
	// ErrCannotReply matches every reason WeChat will not deliver a reply
	// now; ErrReplyWindow, ErrReplyLimit and ErrSessionState say which.
	ErrCannotReply  = errors.New("wechat: the customer cannot be replied to on WeChat now")
	ErrReplyWindow  = errors.New("wechat: more than 48 hours since the customer's last message")
	ErrReplyLimit   = errors.New("wechat: the replies allowed since the customer's last message are used")
	ErrSessionState = errors.New("wechat: the session's state does not allow API messages")
)

// APIError is a failed call: an errcode from 企业微信, an HTTP status, or a
// transport failure (Code 0, Err set). Messages never contain the
// access_token or the secret.
type APIError struct {
	// Op names the API, e.g. "kf/send_msg".
	Op string
	// Code is the errcode, 0 when the failure was not 企业微信's answer.
	Code int
	// Msg is errmsg, or a description of the failure.
	Msg string
	// Status is the HTTP status when it was not 200.
	Status int
	// Err is the transport error, if any.
	Err error
}

func (e *APIError) Error() string {
	switch {
	case e.Code != 0:
		return fmt.Sprintf("wechat: %s: errcode %d: %s", e.Op, e.Code, e.Msg)
	case e.Status != 0:
		return fmt.Sprintf("wechat: %s: HTTP %d: %s", e.Op, e.Status, e.Msg)
	case e.Err != nil:
		return fmt.Sprintf("wechat: %s: %s: %v", e.Op, e.Msg, e.Err)
	}
	return fmt.Sprintf("wechat: %s: %s", e.Op, e.Msg)
}

func (e *APIError) Unwrap() error { return e.Err }

// Kind sorts e by what to do about it.
func (e *APIError) Kind() Kind {
	if e.Code == 0 {
		if e.Status != 0 && e.Status < 500 {
			return KindOther
		}
		return KindUnavailable
	}
	switch e.Code {
	case CodeBusy:
		return KindUnavailable
	case CodeRateLimited, CodeConcurrencyLimit:
		return KindRateLimited
	case CodeInvalidToken, CodeTokenExpired, CodeMissingToken:
		return KindToken
	case CodeInvalidSecret, CodeInvalidCorpID, CodeAPIForbidden, CodeUntrustedIP, CodeAPISwitchOff:
		return KindConfig
	case CodeReplyLimit, CodeReplyWindow, CodeSessionEnded, CodeSessionState:
		return KindCannotReply
	}
	return KindOther
}

// Retryable reports whether the same call may succeed later.
func (e *APIError) Retryable() bool {
	switch e.Kind() {
	case KindUnavailable, KindRateLimited, KindToken:
		return true
	}
	return false
}

// Is matches the sentinels of e's Kind, and for KindCannotReply the one
// naming its reason.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnavailable:
		return e.Kind() == KindUnavailable
	case ErrRateLimited:
		return e.Kind() == KindRateLimited
	case ErrToken:
		return e.Kind() == KindToken
	case ErrConfig:
		return e.Kind() == KindConfig
	case ErrCannotReply:
		return e.Kind() == KindCannotReply
	case ErrReplyWindow:
		return e.Code == CodeReplyWindow
	case ErrReplyLimit:
		return e.Code == CodeReplyLimit
	case ErrSessionState:
		return e.Code == CodeSessionState || e.Code == CodeSessionEnded
	}
	return false
}

// KindOf returns the Kind of err's *APIError, KindOther for any other error.
func KindOf(err error) Kind {
	var e *APIError
	if errors.As(err, &e) {
		return e.Kind()
	}
	return KindOther
}

// Retryable reports whether err is an *APIError worth retrying.
func Retryable(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Retryable()
}
