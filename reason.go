package triage

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Reason explains something the service decided or did: a triage
// decision, a routing choice, why a source was suggested, why a draft fell
// back, what a history entry records. It is data — a code from the
// catalogue below and its arguments — so that the UI and mails say it in
// the reader's language by code, and rewording the English never changes
// what a Chinese reader sees. Text is the English rendering, for logs and
// for API readers who want a sentence.
//
// A Reason without a code is a text kept as written: a sentence an older
// version stored, or a note a person typed.
type Reason struct {
	Code ReasonCode     `json:"code,omitempty"`
	Args map[string]any `json:"args,omitempty"`
	Text string         `json:"text"`
}

// ReasonCode names one kind of reason. Every code is declared once, in
// reasonCatalogue, with its arguments and its English text; the web UI
// has the same codes in Chinese and English (web/static/assets/js/
// reasons.js), and reason_test.go fails when one side lacks a code or a
// call passes the wrong number of arguments.
type ReasonCode string

// Reasons is a list of reasons, read from JSON or a text column whether it
// was stored as reasons or, by an older version, as English sentences.
type Reasons []Reason

// Triage: the category.
const (
	ReasonCategoryManual         ReasonCode = "category.manual"
	ReasonCategoryRule           ReasonCode = "category.rule"
	ReasonCategoryNoModel        ReasonCode = "category.no_model"
	ReasonCategoryModel          ReasonCode = "category.model"
	ReasonCategoryNeighbours     ReasonCode = "category.neighbours"
	ReasonCategoryRuleBias       ReasonCode = "category.rule_bias"
	ReasonCategoryBelowThreshold ReasonCode = "category.below_threshold"
)

// Triage: what a keyword rule did (RuleHit.Effect).
const (
	ReasonRuleSetsCategory      ReasonCode = "rule.sets_category"
	ReasonRuleCategoryOverruled ReasonCode = "rule.category_overruled"
	ReasonRuleBiasOverruled     ReasonCode = "rule.bias_overruled"
	ReasonRuleAddsBias          ReasonCode = "rule.adds_bias"
	ReasonRuleSetsPriority      ReasonCode = "rule.sets_priority"
	ReasonRulePriorityOutranked ReasonCode = "rule.priority_outranked"
	ReasonRuleAddsTags          ReasonCode = "rule.adds_tags"
	ReasonRuleStops             ReasonCode = "rule.stops"
	ReasonRuleNoAction          ReasonCode = "rule.no_action"
)

// Triage: the priority and the signals it weighed.
const (
	ReasonPriorityDefault        ReasonCode = "priority.default"
	ReasonPriorityRule           ReasonCode = "priority.rule"
	ReasonPriorityTier           ReasonCode = "priority.tier"
	ReasonPriorityCalm           ReasonCode = "priority.calm"
	ReasonPriorityCalmOutweighed ReasonCode = "priority.calm_outweighed"
	ReasonPriorityManual         ReasonCode = "priority.manual"
	ReasonPriorityWouldHave      ReasonCode = "priority.would_have"
	ReasonPriorityModel          ReasonCode = "priority.model"
	ReasonPriorityModelUnsure    ReasonCode = "priority.model_unsure"
	ReasonPriorityToneWeak       ReasonCode = "priority.tone_weak"
	ReasonPriorityToneAtMost     ReasonCode = "priority.tone_at_most"
	ReasonPriorityToneRaises     ReasonCode = "priority.tone_raises"
	ReasonPriorityRepeatFew      ReasonCode = "priority.repeat_few"
	ReasonPriorityRepeatAtMost   ReasonCode = "priority.repeat_at_most"
	ReasonPriorityRepeatRaises   ReasonCode = "priority.repeat_raises"
	ReasonPrioritySafety         ReasonCode = "priority.safety"
	ReasonPriorityThreat         ReasonCode = "priority.threat"
	ReasonPriorityCompensation   ReasonCode = "priority.compensation"
	ReasonPriorityUrgent         ReasonCode = "priority.urgent"
	ReasonPriorityComplaint      ReasonCode = "priority.complaint"
	ReasonPriorityNegated        ReasonCode = "priority.negated"

	ReasonSignalDefault      ReasonCode = "signal.default"
	ReasonSignalManual       ReasonCode = "signal.manual"
	ReasonSignalRule         ReasonCode = "signal.rule"
	ReasonSignalTier         ReasonCode = "signal.tier"
	ReasonSignalModel        ReasonCode = "signal.model"
	ReasonSignalSafety       ReasonCode = "signal.safety"
	ReasonSignalThreat       ReasonCode = "signal.threat"
	ReasonSignalCompensation ReasonCode = "signal.compensation"
	ReasonSignalUrgent       ReasonCode = "signal.urgent"
	ReasonSignalComplaint    ReasonCode = "signal.complaint"
	ReasonSignalNegated      ReasonCode = "signal.negated"
	ReasonSignalCalm         ReasonCode = "signal.calm"
	ReasonSignalRepeat       ReasonCode = "signal.repeat"
	ReasonSignalTone         ReasonCode = "signal.tone"
	ReasonSignalToneWords    ReasonCode = "signal.tone_words"
)

// Routing: each agent considered, and the decision.
const (
	ReasonRouteOffline        ReasonCode = "route.offline"
	ReasonRouteAtCapacity     ReasonCode = "route.at_capacity"
	ReasonRouteChosen         ReasonCode = "route.chosen"
	ReasonRouteChosenTie      ReasonCode = "route.chosen_tie"
	ReasonRouteEligible       ReasonCode = "route.eligible"
	ReasonRouteAssigned       ReasonCode = "route.assigned"
	ReasonRouteAssignedTie    ReasonCode = "route.assigned_tie"
	ReasonRouteNoCategory     ReasonCode = "route.no_category"
	ReasonRouteNoSkill        ReasonCode = "route.no_skill"
	ReasonRouteAllBusy        ReasonCode = "route.all_busy"
	ReasonRouteTeamQueue      ReasonCode = "route.team_queue"
	ReasonRouteManual         ReasonCode = "route.manual"
	ReasonRouteWouldHave      ReasonCode = "route.would_have"
	ReasonRoutePreview        ReasonCode = "route.preview"
	ReasonRoutePreviewQueue   ReasonCode = "route.preview_queue"
	ReasonRouteFromQueue      ReasonCode = "route.from_queue"
	ReasonRouteRerouted       ReasonCode = "route.rerouted"
	ReasonRouteQueueTeamSet   ReasonCode = "route.queue_team_set"
	ReasonTriageTagsFromRules ReasonCode = "triage.tags_from_rules"
	ReasonRouteTeamGiven      ReasonCode = "route.team_given"
	ReasonRouteTeamOwns       ReasonCode = "route.team_owns"
	ReasonRouteTeamOfAgent    ReasonCode = "route.team_of_agent"
	ReasonRouteTeamSkilled    ReasonCode = "route.team_skilled"
)

// Search: why an answer was given from the words alone, the meaning side
// (the embedder) having failed or outrun its time budget.
const (
	ReasonSearchVectorTimeout ReasonCode = "search.vector_timeout"
	ReasonSearchVectorFailed  ReasonCode = "search.vector_failed"
	// ReasonSearchVectorBreakerOpen: the embedder failed so often that its
	// circuit breaker stopped calling it for a while; the meaning side was
	// not even tried.
	ReasonSearchVectorBreakerOpen ReasonCode = "search.vector_breaker_open"
)

// Satisfaction: a survey link made again by hand, in the ticket's history.
const (
	// ReasonCSATLinkReissued: staff had a new link mailed to the
	// requester; the previous one stopped working. The link itself is
	// never shown to staff.
	ReasonCSATLinkReissued ReasonCode = "csat.link_reissued"
)

// Suggestions: where a source came from, and why a draft fell back.
const (
	ReasonSourceBoth    ReasonCode = "source.both"
	ReasonSourceWords   ReasonCode = "source.words"
	ReasonSourceMeaning ReasonCode = "source.meaning"
	ReasonSourceFused   ReasonCode = "source.fused"

	ReasonDraftTimeout       ReasonCode = "draft.timeout"
	ReasonDraftDeadline      ReasonCode = "draft.deadline"
	ReasonDraftCancelled     ReasonCode = "draft.cancelled"
	ReasonDraftLLMError      ReasonCode = "draft.llm_error"
	ReasonDraftInvalid       ReasonCode = "draft.invalid"
	ReasonDraftUnsafeMarkup  ReasonCode = "draft.unsafe_markup"
	ReasonDraftTooShort      ReasonCode = "draft.too_short"
	ReasonDraftTooLong       ReasonCode = "draft.too_long"
	ReasonDraftLanguage      ReasonCode = "draft.language"
	ReasonDraftCitesUnknown  ReasonCode = "draft.cites_unknown"
	ReasonDraftCitesNone     ReasonCode = "draft.cites_none"
	ReasonDraftAmount        ReasonCode = "draft.amount"
	ReasonDraftIgnoreRules   ReasonCode = "draft.ignore_rules"
	ReasonDraftRevealsPrompt ReasonCode = "draft.reveals_prompt"
	ReasonDraftForeignLink   ReasonCode = "draft.foreign_link"
	ReasonDraftObeysTicket   ReasonCode = "draft.obeys_ticket"
	ReasonDraftForeignFact   ReasonCode = "draft.foreign_fact"
)

// Tickets: what a history entry records, links and merges.
const (
	ReasonTicketCreated       ReasonCode = "ticket.created"
	ReasonTicketAssignedAtNew ReasonCode = "ticket.assigned_at_creation"
	ReasonTicketAssignedHand  ReasonCode = "ticket.assigned_by_hand"
	ReasonTicketFirstReply    ReasonCode = "ticket.first_reply"
	ReasonTicketAgentReplied  ReasonCode = "ticket.agent_replied"
	ReasonTicketNewerReply    ReasonCode = "ticket.newer_reply"
	ReasonTicketRequesterRe   ReasonCode = "ticket.requester_replied"
	ReasonTicketNote          ReasonCode = "ticket.note_added"
	ReasonTicketReply         ReasonCode = "ticket.reply_added"
	ReasonTicketRequesterMsg  ReasonCode = "ticket.requester_message"
	ReasonMergeDuplicate      ReasonCode = "merge.duplicate"
	ReasonMergeClosed         ReasonCode = "merge.closed"
	ReasonMergeFrom           ReasonCode = "merge.from"
	ReasonMergeCopied         ReasonCode = "merge.copied"
	// A mailbox's hints, when triage left a field to them.
	ReasonMailboxPriority  ReasonCode = "mailbox.priority"
	ReasonMailboxCategory  ReasonCode = "mailbox.category"
	ReasonDuplicateSimilar ReasonCode = "duplicate.similar"
	// ReasonTicketImported: the ticket came from another helpdesk's export.
	ReasonTicketImported ReasonCode = "ticket.imported"
)

// Knowledge base: the note of an article version.
const (
	ReasonArticleCreated    ReasonCode = "article.created"
	ReasonArticleEdited     ReasonCode = "article.edited"
	ReasonArticleMoved      ReasonCode = "article.moved"
	ReasonArticleReverted   ReasonCode = "article.reverted"
	ReasonArticleImported   ReasonCode = "article.imported"
	ReasonArticleReimported ReasonCode = "article.reimported"
	// ReasonArticleApproved is the version a reviewed revision wrote.
	ReasonArticleApproved ReasonCode = "article.approved"
	// ReasonArticleSelfApproved is one an admin approved themselves, with
	// the reason they gave.
	ReasonArticleSelfApproved ReasonCode = "article.self_approved"
)

// SLA: an escalation's history note.
const (
	ReasonSLAWarning  ReasonCode = "sla.warning"
	ReasonSLABreached ReasonCode = "sla.breached"
	ReasonSLARaised   ReasonCode = "sla.raised_priority"
	ReasonSLAToLead   ReasonCode = "sla.to_lead"
	ReasonSLAToQueue  ReasonCode = "sla.to_queue"
	// ReasonSolvedClosed: a ticket solved for the configured business
	// time was closed by the service.
	ReasonSolvedClosed ReasonCode = "sla.solved_closed"
)

// Automations: why a firing happened and what it did (AutomationRun.Why
// and Changes), and the reason of the history entries it wrote.
const (
	ReasonAutomationFired     ReasonCode = "automation.fired"
	ReasonAutomationCondition ReasonCode = "automation.condition"
	ReasonAutomationAge       ReasonCode = "automation.age"
	ReasonAutomationSet       ReasonCode = "automation.set"
	ReasonAutomationTagsAdded ReasonCode = "automation.tags_added"
	ReasonAutomationTagsGone  ReasonCode = "automation.tags_removed"
	ReasonAutomationNote      ReasonCode = "automation.note"
	ReasonAutomationReply     ReasonCode = "automation.reply"
	ReasonAutomationMacro     ReasonCode = "automation.macro"
	ReasonAutomationEmail     ReasonCode = "automation.email"
	ReasonAutomationWebhook   ReasonCode = "automation.webhook"
	ReasonAutomationStopped   ReasonCode = "automation.stopped"
	ReasonAutomationSkipped   ReasonCode = "automation.action_skipped"
)

// Mail: why an inbound mail made no ticket or comment, why an outbound
// one failed (MailMessage.Reason), and the failure in a ticket's history.
const (
	ReasonMailAutoReply     ReasonCode = "mail.auto_reply"
	ReasonMailBounce        ReasonCode = "mail.bounce"
	ReasonMailBulk          ReasonCode = "mail.bulk"
	ReasonMailOwnAddress    ReasonCode = "mail.own_address"
	ReasonMailThrottled     ReasonCode = "mail.throttled"
	ReasonMailInvalid       ReasonCode = "mail.invalid"
	ReasonMailReleased      ReasonCode = "mail.released"
	ReasonMailRejected      ReasonCode = "mail.rejected"
	ReasonMailBounced       ReasonCode = "mail.bounced"
	ReasonMailGaveUp        ReasonCode = "mail.gave_up"
	ReasonMailNotConfigured ReasonCode = "mail.not_configured"
	ReasonMailFailed        ReasonCode = "mail.failed"
)

// WeChat: why a 微信客服 message made no ticket or comment, why a reply
// failed (WeChatMessage.Reason), and the failure in a ticket's history.
const (
	ReasonWeChatEvent        ReasonCode = "wechat.event"
	ReasonWeChatServicer     ReasonCode = "wechat.servicer"
	ReasonWeChatRecalled     ReasonCode = "wechat.recalled"
	ReasonWeChatCannotReply  ReasonCode = "wechat.cannot_reply"
	ReasonWeChatRejected     ReasonCode = "wechat.rejected"
	ReasonWeChatGaveUp       ReasonCode = "wechat.gave_up"
	ReasonWeChatSendFail     ReasonCode = "wechat.send_fail"
	ReasonWeChatFailed       ReasonCode = "wechat.failed"
	ReasonWeChatMediaFailed  ReasonCode = "wechat.media_failed"
	ReasonWeChatBotAnswer    ReasonCode = "wechat.bot_answer"
	ReasonWeChatHandover     ReasonCode = "wechat.handover"
	ReasonWeChatSessionState ReasonCode = "wechat.session_state"
)

// reasonSpec is a code's arguments, in the order NewReason takes them, and
// its English text. An argument written "name:2" is a number rounded to
// two decimals when the reason is made. In the text, {name} is replaced by
// the argument; {name|filter} also names how the UI shows the value (an
// enum it translates, a duration, an actor), which the English text here
// shows as it is, except |duration (seconds, shown as 1h5m0s).
type reasonSpec struct {
	args []string
	text string
}

// reasonCatalogue declares every reason code. To add one: a constant
// above, an entry here, and the code in both languages in
// web/static/assets/js/reasons.js; `go test .` checks all three agree.
var reasonCatalogue = sync.OnceValue(func() map[ReasonCode]reasonSpec {
	return map[ReasonCode]reasonSpec{
		ReasonCategoryManual:         {nil, "set by hand when the ticket was created"},
		ReasonCategoryRule:           {[]string{"rule"}, `rule "{rule}" sets the category (override)`},
		ReasonCategoryNoModel:        {nil, "no trained model yet and no rule decided the category; left for a person"},
		ReasonCategoryModel:          {[]string{"category", "score:2"}, "model: {category} {score}"},
		ReasonCategoryNeighbours:     {[]string{"n", "weight:2"}, "{n} similar resolved tickets voted (weight {weight})"},
		ReasonCategoryRuleBias:       {[]string{"rules", "weight:2", "category"}, "rules {rules} add {weight} to {category}"},
		ReasonCategoryBelowThreshold: {[]string{"category", "score:2", "threshold:2"}, "best guess {category} at {score} is below the threshold {threshold}: left for a person"},

		ReasonRuleSetsCategory:      {[]string{"category"}, "sets category {category} (override)"},
		ReasonRuleCategoryOverruled: {[]string{"category", "by", "by_category"}, `would set category {category} (override), but rule "{by}" already set {by_category}`},
		ReasonRuleBiasOverruled:     {[]string{"weight:2", "category", "by"}, `would add {weight} to category {category} (bias), but rule "{by}" overrides the category`},
		ReasonRuleAddsBias:          {[]string{"weight:2", "category"}, "adds {weight} to category {category} (bias)"},
		ReasonRuleSetsPriority:      {[]string{"priority"}, "sets priority {priority}"},
		ReasonRulePriorityOutranked: {[]string{"priority", "by", "by_priority"}, `would set priority {priority}, but rule "{by}" sets the more urgent {by_priority}`},
		ReasonRuleAddsTags:          {[]string{"tags"}, "adds tags {tags}"},
		ReasonRuleStops:             {nil, "stops rule evaluation"},
		ReasonRuleNoAction:          {nil, "matches (no action)"},

		ReasonPriorityDefault:        {nil, "No priority signal: the default P3."},
		ReasonPriorityRule:           {[]string{"rule", "priority"}, `Rule "{rule}" sets {priority}.`},
		ReasonPriorityTier:           {[]string{"tier"}, "Customer tier {tier}: at least P2."},
		ReasonPriorityCalm:           {[]string{"words"}, "Low-urgency wording ({words}) and nothing more pressing: P4."},
		ReasonPriorityCalmOutweighed: {[]string{"words"}, "Low-urgency wording ({words}), outweighed by the other signals."},
		ReasonPriorityManual:         {[]string{"priority"}, "Set by the client: {priority}."},
		ReasonPriorityWouldHave:      {[]string{"priority"}, "Triage would have chosen {priority}."},
		ReasonPriorityModel:          {[]string{"priority", "score:2"}, "The priority model says {priority} ({score})."},
		ReasonPriorityModelUnsure:    {[]string{"priority", "score:2", "threshold:2"}, "The priority model's best guess, {priority} at {score}, is below {threshold} and not used."},
		ReasonPriorityToneWeak:       {[]string{"tone"}, "Negative tone ({tone}), not strong enough to raise the priority."},
		ReasonPriorityToneAtMost:     {[]string{"tone", "priority"}, "Strongly negative tone ({tone}); the priority is already {priority}."},
		ReasonPriorityToneRaises:     {[]string{"tone", "from", "to"}, "Strongly negative tone ({tone}): raises {from} to {to}."},
		ReasonPriorityRepeatFew:      {[]string{"n", "needed"}, "Other tickets from this requester recently: {n}; it takes {needed} to raise the priority."},
		ReasonPriorityRepeatAtMost:   {[]string{"n", "priority"}, "Other tickets from this requester recently: {n}; the priority is already {priority}."},
		ReasonPriorityRepeatRaises:   {[]string{"n", "from", "to"}, "Other tickets from this requester recently: {n}, which raises {from} to {to}."},
		ReasonPrioritySafety:         {[]string{"words", "priority"}, "A safety hazard ({words}): {priority}."},
		ReasonPriorityThreat:         {[]string{"words", "priority"}, "Threatens to take it outside: a regulator, the media, a lawyer or the police ({words}): {priority}."},
		ReasonPriorityCompensation:   {[]string{"words", "priority"}, "Claims compensation ({words}): {priority}."},
		ReasonPriorityUrgent:         {[]string{"words", "priority"}, "Urgent wording ({words}): {priority}."},
		ReasonPriorityComplaint:      {[]string{"words", "priority"}, "Complaint wording ({words}): {priority}."},
		ReasonPriorityNegated:        {[]string{"words"}, "Negated ({words}): not counted."},

		ReasonSignalDefault:      {nil, "no other signal"},
		ReasonSignalManual:       {nil, "set by the client"},
		ReasonSignalRule:         {[]string{"rule"}, "{rule}"},
		ReasonSignalTier:         {[]string{"tier"}, "{tier}"},
		ReasonSignalModel:        {[]string{"priority", "score:2"}, "{priority} at {score}"},
		ReasonSignalSafety:       {[]string{"words"}, "{words} (safety hazard)"},
		ReasonSignalThreat:       {[]string{"words"}, "{words} (threat)"},
		ReasonSignalCompensation: {[]string{"words"}, "{words} (compensation)"},
		ReasonSignalUrgent:       {[]string{"words"}, "{words} (urgency)"},
		ReasonSignalComplaint:    {[]string{"words"}, "{words} (complaint)"},
		ReasonSignalNegated:      {[]string{"words"}, "{words} (negated)"},
		ReasonSignalCalm:         {[]string{"words"}, "{words} (low urgency)"},
		ReasonSignalRepeat:       {[]string{"n"}, "other tickets from this requester recently: {n}"},
		ReasonSignalTone:         {[]string{"score:2"}, "sentiment {score}"},
		ReasonSignalToneWords:    {[]string{"score:2", "words"}, "sentiment {score}: {words}"},

		ReasonRouteOffline:        {nil, "offline"},
		ReasonRouteAtCapacity:     {[]string{"open", "capacity"}, "at capacity ({open} of {capacity})"},
		ReasonRouteChosen:         {[]string{"load:1"}, "chosen: least loaded ({load})"},
		ReasonRouteChosenTie:      {[]string{"load:1"}, "chosen: least loaded ({load}), longest since last assignment"},
		ReasonRouteEligible:       {[]string{"load:1"}, "eligible, load {load}"},
		ReasonRouteAssigned:       {[]string{"agent", "load:1", "n", "skill"}, "assigned to {agent}: least loaded ({load}) among {n} eligible agents with skill {skill}"},
		ReasonRouteAssignedTie:    {[]string{"agent", "load:1", "n", "skill"}, "assigned to {agent}: least loaded ({load}), longest since last assignment among {n} eligible agents with skill {skill}"},
		ReasonRouteNoCategory:     {nil, "nobody to assign: the category is not decided, so no skill can be matched"},
		ReasonRouteNoSkill:        {[]string{"skill"}, "nobody to assign: no agent has the skill {skill}"},
		ReasonRouteAllBusy:        {[]string{"n", "skill"}, "nobody to assign: all {n} agents with skill {skill} are offline or at capacity"},
		ReasonRouteTeamQueue:      {[]string{"team"}, "waiting in the queue of team {team}"},
		ReasonRouteManual:         {nil, "assigned by hand when the ticket was created"},
		ReasonRouteWouldHave:      {[]string{"agent"}, "routing would have chosen {agent}"},
		ReasonRoutePreview:        {[]string{"agent"}, "would be assigned to {agent}"},
		ReasonRoutePreviewQueue:   {nil, "would wait in a queue: nobody eligible is free"},
		ReasonRouteFromQueue:      {nil, "from the queue"},
		ReasonRouteRerouted:       {nil, "rerouted: the assignee is away"},
		ReasonRouteQueueTeamSet:   {nil, "routing: the team whose queue it waits in"},
		ReasonTriageTagsFromRules: {nil, "tags added by rules"},
		ReasonRouteTeamGiven:      {[]string{"team"}, "team {team}: the team it arrived with (its mailbox's, or set by hand)"},
		ReasonRouteTeamOwns:       {[]string{"team", "skill"}, "team {team}: it handles {skill}"},
		ReasonRouteTeamOfAgent:    {[]string{"team"}, "team {team}: the assignee's team"},
		ReasonRouteTeamSkilled:    {[]string{"team", "skill"}, "team {team}: no team handles {skill}, and its members have the skill"},

		ReasonSourceBoth:    {[]string{"lexical_rank", "lexical_score:2", "vector_rank", "vector_score:2", "fused:4"}, "words: #{lexical_rank} (BM25 {lexical_score}); meaning: #{vector_rank} (cosine {vector_score}); fused {fused}"},
		ReasonSourceWords:   {[]string{"lexical_rank", "lexical_score:2", "fused:4"}, "words: #{lexical_rank} (BM25 {lexical_score}); fused {fused}"},
		ReasonSourceMeaning: {[]string{"vector_rank", "vector_score:2", "fused:4"}, "meaning: #{vector_rank} (cosine {vector_score}); fused {fused}"},
		ReasonSourceFused:   {[]string{"fused:4"}, "fused {fused}"},

		ReasonSearchVectorTimeout: {[]string{"seconds:3"}, "words only: the embedding service did not answer within {seconds|duration}"},
		ReasonSearchVectorFailed:  {[]string{"error"}, "words only: the embedding service failed: {error}"},

		ReasonSearchVectorBreakerOpen: {[]string{"seconds:0"}, "words only: the embedding service failed repeatedly and is not called for {seconds|duration}"},
		ReasonCSATLinkReissued:        {[]string{"to"}, "a new survey link was mailed to {to}; the previous link no longer works"},

		ReasonDraftTimeout:       {[]string{"seconds"}, "LLM timed out after {seconds|duration}"},
		ReasonDraftDeadline:      {nil, "LLM call outlived the request's deadline"},
		ReasonDraftCancelled:     {nil, "LLM call cancelled"},
		ReasonDraftLLMError:      {[]string{"error"}, "LLM error: {error}"},
		ReasonDraftInvalid:       {[]string{"why"}, "invalid LLM draft: {why}"},
		ReasonDraftUnsafeMarkup:  {nil, "unsafe markup (script, frame, event handler or script URL)"},
		ReasonDraftTooShort:      {nil, "too short"},
		ReasonDraftTooLong:       {[]string{"n"}, "too long ({n} characters)"},
		ReasonDraftLanguage:      {nil, "not in the customer's language"},
		ReasonDraftCitesUnknown:  {[]string{"n"}, "cites [{n}], which is not a source"},
		ReasonDraftCitesNone:     {nil, "cites no source"},
		ReasonDraftAmount:        {[]string{"amount"}, "states an amount no source gives ({amount})"},
		ReasonDraftIgnoreRules:   {nil, "repeats an instruction to ignore the rules"},
		ReasonDraftRevealsPrompt: {nil, "reveals the prompt"},
		ReasonDraftForeignLink:   {[]string{"url"}, "links to {url}, which no source gives"},
		ReasonDraftObeysTicket:   {nil, "carries out an instruction from the ticket"},
		ReasonDraftForeignFact:   {[]string{"value"}, "states {value}, found in neither the ticket nor a cited article"},

		ReasonTicketCreated:       {[]string{"channel"}, "ticket created via {channel|channel}"},
		ReasonTicketAssignedAtNew: {nil, "assigned by hand at creation"},
		ReasonTicketAssignedHand:  {nil, "assigned by hand"},
		ReasonTicketFirstReply:    {nil, "first public reply"},
		ReasonTicketAgentReplied:  {nil, "an agent replied"},
		ReasonTicketNewerReply:    {[]string{"author", "comment_id"}, "another agent ({author}) replied after you began writing (comment {comment_id}); send with \"force\": true to send yours anyway"},
		ReasonTicketRequesterRe:   {nil, "the requester replied"},
		ReasonTicketNote:          {nil, "internal note"},
		ReasonTicketReply:         {nil, "reply"},
		ReasonTicketRequesterMsg:  {nil, "requester message"},
		ReasonMergeDuplicate:      {nil, "merged as a duplicate"},
		ReasonMergeClosed:         {[]string{"ticket", "actor"}, "closed by merging into {ticket}, as {actor|actor} asked"},
		ReasonMergeFrom:           {[]string{"title"}, "merged from: {title}"},
		ReasonMergeCopied:         {[]string{"ticket"}, "from ticket {ticket}"},
		ReasonTicketImported:      {[]string{"source", "id"}, "imported from {source}, ticket {id} there"},
		ReasonMailboxPriority:     {[]string{"priority"}, "the default priority of the mailbox, {priority}: no priority signal spoke"},
		ReasonMailboxCategory:     {[]string{"category"}, "the category of the mailbox, {category}: triage could not decide"},

		ReasonMailAutoReply:      {[]string{"signal"}, "an automatic reply ({signal}): no ticket, no answer"},
		ReasonMailBounce:         {[]string{"signal"}, "a delivery failure report ({signal}): no ticket; the mail it reports is marked failed"},
		ReasonMailBulk:           {[]string{"signal"}, "bulk or list mail ({signal}): no ticket"},
		ReasonMailOwnAddress:     {[]string{"from"}, "from our own address {from}: ignored"},
		ReasonMailThrottled:      {[]string{"from", "per_minute"}, "{from} wrote more than {per_minute} mails a minute: held back, kept"},
		ReasonMailInvalid:        {[]string{"error"}, "could not become a ticket: {error}"},
		ReasonMailReleased:       {[]string{"was"}, "imported by an admin after all (was: {was})"},
		ReasonMailRejected:       {nil, "refused by the mail server"},
		ReasonMailBounced:        {nil, "bounced by the receiving server"},
		ReasonMailGaveUp:         {[]string{"attempts"}, "gave up after {attempts} attempts"},
		ReasonMailNotConfigured:  {nil, "no outbound mail server is configured (--smtp-url)"},
		ReasonMailFailed:         {[]string{"purpose", "to", "why", "answer"}, "the {purpose|mail_purpose} mail to {to} failed: {why}: {answer}"},
		ReasonWeChatEvent:        {[]string{"event"}, "a session event ({event}): recorded, no ticket"},
		ReasonWeChatServicer:     {nil, "written by a servicer in 企业微信: recorded, no comment"},
		ReasonWeChatRecalled:     {[]string{"msgid"}, "the customer recalled message {msgid}"},
		ReasonWeChatCannotReply:  {[]string{"answer"}, "WeChat will not deliver it now (48-hour window, reply quota or session state): {answer}"},
		ReasonWeChatRejected:     {[]string{"answer"}, "refused by 企业微信: {answer}"},
		ReasonWeChatGaveUp:       {[]string{"attempts"}, "gave up after {attempts} attempts"},
		ReasonWeChatSendFail:     {[]string{"fail_type"}, "企业微信 reported it undelivered (fail_type {fail_type})"},
		ReasonWeChatFailed:       {[]string{"why"}, "the WeChat reply to the customer failed: {why}"},
		ReasonWeChatMediaFailed:  {[]string{"type", "error"}, "the customer's {type} could not be downloaded: {error}"},
		ReasonWeChatBotAnswer:    {nil, "answered on WeChat by the bot from public articles"},
		ReasonWeChatHandover:     {[]string{"why", "to"}, "the bot handed the WeChat session to a person ({why}): {to}"},
		ReasonWeChatSessionState: {[]string{"state", "servicer"}, "the WeChat session in 企业微信 is now {state} {servicer}"},
		ReasonDuplicateSimilar: {[]string{"via", "seconds", "score:2", "threshold:2", "n", "words"},
			"same requester ({via|via}), {seconds|duration} apart; text similarity {score} (Jaccard of the word sets, threshold {threshold}): {n} words shared: {words}"},

		ReasonArticleCreated:      {nil, "created"},
		ReasonArticleEdited:       {[]string{"fields"}, "edited {fields|field}"},
		ReasonArticleMoved:        {[]string{"from", "to"}, "{from|status} → {to|status}"},
		ReasonArticleReverted:     {[]string{"version"}, "reverted to version {version}"},
		ReasonArticleImported:     {nil, "imported"},
		ReasonArticleReimported:   {nil, "re-imported"},
		ReasonArticleApproved:     {[]string{"author", "reviewer"}, "revision by {author|actor} approved by {reviewer|actor}"},
		ReasonArticleSelfApproved: {[]string{"author", "reason"}, "revision by {author|actor} approved by its author, an admin: {reason}"},

		ReasonSLAWarning:   {[]string{"metric", "target", "policy", "actions"}, "SLA {metric|sla_metric} target {target} about to breach (policy {policy}): {actions}"},
		ReasonSLABreached:  {[]string{"metric", "target", "policy", "actions"}, "SLA {metric|sla_metric} target {target} breached (policy {policy}): {actions}"},
		ReasonSLARaised:    {[]string{"from", "to"}, "priority {from} → {to}"},
		ReasonSLAToLead:    {nil, "assigned to the team lead"},
		ReasonSLAToQueue:   {nil, "back to the queue"},
		ReasonSolvedClosed: {[]string{"after"}, "closed after {after} of business time solved"},

		ReasonAutomationFired:     {[]string{"automation", "event"}, "automation {automation} fired on {event|auto_event}"},
		ReasonAutomationCondition: {[]string{"field", "op", "value"}, "{field|auto_field} {op|auto_op} {value}"},
		ReasonAutomationAge:       {[]string{"since", "after"}, "{after} since {since|auto_since}"},
		ReasonAutomationSet:       {[]string{"field", "from", "to"}, "{field|field}: {from} → {to}"},
		ReasonAutomationTagsAdded: {[]string{"tags"}, "tags added: {tags}"},
		ReasonAutomationTagsGone:  {[]string{"tags"}, "tags removed: {tags}"},
		ReasonAutomationNote:      {nil, "internal note added"},
		ReasonAutomationReply:     {nil, "public reply sent"},
		ReasonAutomationMacro:     {[]string{"macro"}, "reply sent with macro {macro}"},
		ReasonAutomationEmail:     {[]string{"to"}, "e-mail queued to {to}"},
		ReasonAutomationWebhook:   {[]string{"webhook"}, "webhook {webhook} called"},
		ReasonAutomationStopped:   {[]string{"automation"}, "automation {automation} stops the later ones"},
		ReasonAutomationSkipped:   {[]string{"action", "why"}, "{action} not done: {why}"},
	}
})

// ReasonInfo describes one code of the catalogue.
type ReasonInfo struct {
	Code ReasonCode `json:"code"`
	// Args are the argument names, in the order NewReason takes them.
	Args []string `json:"args"`
	// Text is the English, with {arg} where each argument goes.
	Text string `json:"text"`
}

// ReasonCatalogue lists every reason code, sorted by code.
func ReasonCatalogue() []ReasonInfo {
	out := make([]ReasonInfo, 0, len(reasonCatalogue()))
	for code, s := range reasonCatalogue() {
		args := make([]string, len(s.args))
		for i, a := range s.args {
			args[i], _, _ = strings.Cut(a, ":")
		}
		out = append(out, ReasonInfo{Code: code, Args: args, Text: s.text})
	}
	slices.SortFunc(out, func(a, b ReasonInfo) int { return strings.Compare(string(a.Code), string(b.Code)) })
	return out
}

// NewReason makes a reason of a declared code from its arguments, in the
// order the catalogue declares them. An argument may be a string (or a
// type whose kind is string, such as Priority), an integer, a float, a
// []string, a Reason or a []Reason. A code the catalogue lacks, or a
// wrong number of arguments, is a programming error that reason_test.go
// finds in the source; here it still makes a reason whose text says so
// rather than panic.
func NewReason(code ReasonCode, args ...any) Reason {
	spec, ok := reasonCatalogue()[code]
	r := Reason{Code: code}
	if !ok {
		r.Text = string(code)
		return r
	}
	if len(spec.args) > 0 {
		r.Args = make(map[string]any, len(spec.args))
	}
	for i, a := range spec.args {
		name, digits, _ := strings.Cut(a, ":")
		if i >= len(args) {
			break
		}
		r.Args[name] = reasonArg(args[i], digits)
	}
	r.Text = render(spec.text, r.Args)
	return r
}

// Note is a reason without a code: a text shown as written, such as a note
// a person typed.
func Note(text string) Reason { return Reason{Text: text} }

// reasonArg turns an argument into the form it has after a trip through
// JSON, so that a stored reason reads back equal to the one made: numbers
// are float64 (rounded to digits places when given), lists of words
// []string, other values strings.
func reasonArg(v any, digits string) any {
	switch x := v.(type) {
	case Reason:
		return x
	case []Reason:
		if len(x) == 0 {
			return []string{}
		}
		return x
	case Reasons:
		return reasonArg([]Reason(x), digits)
	case []string:
		if x == nil {
			return []string{}
		}
		return x
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if d, err := strconv.Atoi(digits); err == nil {
			p := math.Pow(10, float64(d))
			f = math.Round(f*p) / p
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0.0 // JSON has no NaN
		}
		return f
	}
	return fmt.Sprint(v)
}

// render fills a text's {name} and {name|filter} with the arguments.
func render(text string, args map[string]any) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		name, filter, _ := strings.Cut(text[i+1:i+j], "|")
		v, ok := args[name]
		switch {
		case !ok:
			b.WriteString(text[i : i+j+1])
		case filter == "duration":
			b.WriteString(durationText(v))
		default:
			b.WriteString(argText(v))
		}
		text = text[i+j+1:]
	}
}

func durationText(v any) string {
	f, ok := v.(float64)
	if !ok {
		return argText(v)
	}
	return time.Duration(f * float64(time.Second)).String()
}

// argText is an argument as the English text shows it.
func argText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []string:
		return strings.Join(x, ", ")
	case Reason:
		return x.Text
	case []Reason:
		parts := make([]string, len(x))
		for i, r := range x {
			parts[i] = r.Text
		}
		return strings.Join(parts, ", ")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = argText(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if t, ok := x["text"].(string); ok {
			return t
		}
	}
	return fmt.Sprint(v)
}

// Sentence is the English of reasons and a person's note, for logs and
// tests: the reasons first, then the note.
func Sentence(why Reasons, note string) string {
	s := why.String()
	switch {
	case note == "":
		return s
	case s == "":
		return note
	}
	return s + "; " + note
}

// String is the reasons' English, one after another.
func (rs Reasons) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Text
	}
	return strings.Join(parts, "; ")
}

// Known reports whether the code is declared.
func (c ReasonCode) Known() bool {
	_, ok := reasonCatalogue()[c]
	return ok
}

// UnmarshalJSON reads a reason, or a sentence an older version stored in
// its place (a reason without a code).
func (r *Reason) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = Reason{Text: s}
		return nil
	}
	var w struct {
		Code ReasonCode                 `json:"code"`
		Args map[string]json.RawMessage `json:"args"`
		Text string                     `json:"text"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Reason{Code: w.Code, Text: w.Text}
	if len(w.Args) > 0 {
		r.Args = make(map[string]any, len(w.Args))
		for k, raw := range w.Args {
			v, err := decodeArg(raw)
			if err != nil {
				return err
			}
			r.Args[k] = v
		}
	}
	return nil
}

// decodeArg reads an argument back into the types NewReason makes: a list
// of objects is []Reason, any other list []string, an object a Reason.
func decodeArg(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, nil
	}
	switch raw[0] {
	case '{':
		var r Reason
		err := json.Unmarshal(raw, &r)
		return r, err
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		if len(items) > 0 && bytes.HasPrefix(bytes.TrimSpace(items[0]), []byte("{")) {
			var rs []Reason
			err := json.Unmarshal(raw, &rs)
			return rs, err
		}
		out := make([]string, len(items))
		for i, it := range items {
			var v any
			if err := json.Unmarshal(it, &v); err != nil {
				return nil, err
			}
			if s, ok := v.(string); ok {
				out[i] = s
			} else {
				out[i] = fmt.Sprint(v)
			}
		}
		return out, nil
	}
	var v any
	err := json.Unmarshal(raw, &v)
	return v, err
}

// UnmarshalJSON reads a list of reasons, a list of sentences (an older
// version's Decision.Why) or one sentence (its RuleHit.Effect).
func (rs *Reasons) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*rs = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*rs = nil
		if s != "" {
			*rs = Reasons{{Text: s}}
		}
		return nil
	}
	var list []Reason
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*rs = list
	return nil
}

// Value stores reasons in a text column as JSON.
func (rs Reasons) Value() (driver.Value, error) {
	if rs == nil {
		return "[]", nil
	}
	b, err := json.Marshal(rs)
	return string(b), err
}

// Scan reads reasons from a text column: JSON as Value wrote it, or a
// sentence an older version stored, which becomes one reason without a
// code.
func (rs *Reasons) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*rs = nil
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("reasons: cannot scan %T", src)
	}
	t := strings.TrimSpace(s)
	if t == "" {
		*rs = nil
		return nil
	}
	if strings.HasPrefix(t, "[") {
		var list Reasons
		if err := json.Unmarshal([]byte(t), &list); err == nil {
			*rs = list
			if len(list) == 0 {
				*rs = nil
			}
			return nil
		}
	}
	*rs = Reasons{{Text: s}}
	return nil
}
