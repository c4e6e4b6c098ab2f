package importer

import "github.com/triagehq/triage"

// The default value mappings of each format, explicit so that a summary and
// the README can show them and a mapping file can override any entry.
//
// Decisions worth knowing:
//   - Zendesk "hold" (waiting on a third party) becomes open, not pending:
//     triage's pending means waiting on the customer, and its automations
//     remind and then solve pending tickets, which must not happen to a
//     ticket that waits on a supplier.
//   - Zammad "pending close" becomes solved: Zammad closes it by itself
//     when the time is up, which is what triage's solved → closed does.
//   - Zendesk "deleted", Zammad "merged" and "removed" are skipped with
//     their own reason rather than mapped: they are not history to learn
//     from.

// defaultStatuses returns the status mapping of format f.
func defaultStatuses(f Format) triage.StatusMap {
	switch f {
	case FormatZendesk:
		return triage.StatusMap{
			"new": triage.StatusNew, "open": triage.StatusOpen, "pending": triage.StatusPending,
			"hold": triage.StatusOpen, "solved": triage.StatusSolved, "closed": triage.StatusClosed,
		}
	case FormatZammad:
		return triage.StatusMap{
			"new": triage.StatusNew, "open": triage.StatusOpen,
			"pending reminder": triage.StatusPending, "pending close": triage.StatusSolved,
			"closed": triage.StatusClosed,
		}
	case FormatFreshdesk:
		return triage.StatusMap{
			"open": triage.StatusOpen, "pending": triage.StatusPending,
			"resolved": triage.StatusSolved, "closed": triage.StatusClosed,
			"waiting on customer": triage.StatusPending, "waiting on third party": triage.StatusOpen,
			// The API's numbers, which some exports carry instead of names.
			"2": triage.StatusOpen, "3": triage.StatusPending, "4": triage.StatusSolved, "5": triage.StatusClosed,
			// An account set to Chinese (our translation of the labels).
			"打开": triage.StatusOpen, "待定": triage.StatusPending, "已解决": triage.StatusSolved, "已关闭": triage.StatusClosed,
			"等待客户回复": triage.StatusPending, "等待第三方": triage.StatusOpen,
		}
	}
	return triage.StatusMap{
		"new": triage.StatusNew, "open": triage.StatusOpen, "pending": triage.StatusPending,
		"hold": triage.StatusOpen, "on hold": triage.StatusOpen, "solved": triage.StatusSolved,
		"resolved": triage.StatusSolved, "closed": triage.StatusClosed,
		"新建": triage.StatusNew, "待处理": triage.StatusOpen, "处理中": triage.StatusOpen,
		"等待客户": triage.StatusPending, "等待客户回复": triage.StatusPending, "挂起": triage.StatusOpen,
		"已解决": triage.StatusSolved, "已完结": triage.StatusSolved, "已关闭": triage.StatusClosed, "关闭": triage.StatusClosed,
	}
}

// defaultPriorities returns the priority mapping of format f.
func defaultPriorities(f Format) triage.PriorityMap {
	switch f {
	case FormatZendesk:
		return triage.PriorityMap{"urgent": triage.P1, "high": triage.P2, "normal": triage.P3, "low": triage.P4}
	case FormatZammad:
		// Zammad ships three priorities and names them with their rank.
		return triage.PriorityMap{"1 low": triage.P4, "2 normal": triage.P3, "3 high": triage.P2}
	case FormatFreshdesk:
		return triage.PriorityMap{
			"low": triage.P4, "medium": triage.P3, "high": triage.P2, "urgent": triage.P1,
			"1": triage.P4, "2": triage.P3, "3": triage.P2, "4": triage.P1,
			"低": triage.P4, "中": triage.P3, "高": triage.P2, "紧急": triage.P1,
		}
	}
	return triage.PriorityMap{
		"p1": triage.P1, "p2": triage.P2, "p3": triage.P3, "p4": triage.P4,
		"urgent": triage.P1, "high": triage.P2, "normal": triage.P3, "medium": triage.P3, "low": triage.P4,
		"紧急": triage.P1, "高": triage.P2, "普通": triage.P3, "中": triage.P3, "一般": triage.P3, "低": triage.P4,
	}
}

// defaultChannels maps the channel names the formats use (Zendesk's
// via.channel, Zammad's article types, Freshdesk's Source) onto triage's.
// Anything else is "other".
func defaultChannels() map[string]triage.Channel {
	return map[string]triage.Channel{
		"email": triage.ChannelEmail, "mail": triage.ChannelEmail, "outbound email": triage.ChannelEmail, "邮件": triage.ChannelEmail, "邮箱": triage.ChannelEmail,
		"web": triage.ChannelWeb, "web_form": triage.ChannelWeb, "web_widget": triage.ChannelWeb, "portal": triage.ChannelWeb,
		"chat": triage.ChannelWeb, "feedback widget": triage.ChannelWeb, "网页": triage.ChannelWeb, "表单": triage.ChannelWeb, "在线客服": triage.ChannelWeb,
		"voice": triage.ChannelPhone, "phone": triage.ChannelPhone, "电话": triage.ChannelPhone, "热线": triage.ChannelPhone,
		"wechat": triage.ChannelWechat, "weixin": triage.ChannelWechat, "微信": triage.ChannelWechat, "企业微信": triage.ChannelWechat,
		"api": triage.ChannelAPI,
	}
}

// zammadStates and zammadPriorities are the names of Zammad's built-in
// state and priority ids, for tickets exported without expand=true.
func zammadStates() map[int64]string {
	return map[int64]string{1: "new", 2: "open", 3: "pending reminder", 4: "closed", 5: "merged", 6: "removed", 7: "pending close"}
}

func zammadPriorities() map[int64]string {
	return map[int64]string{1: "1 low", 2: "2 normal", 3: "3 high"}
}
