package automate

import (
	"time"

	"github.com/triagehq/triage"
)

// Template is a ready-made automation an admin adds with one click (the
// UI) or one POST: the common time rules of a support team, off until
// added.
type Template struct {
	ID         string               `json:"id"`
	Automation triage.NewAutomation `json:"automation"`
}

// Templates lists the ready-made automations. The closing of solved
// tickets is not among them: the SLA service does it, on by default
// (the workflow setting close_solved_after), and CloseSolvedRule shows it
// beside these.
func Templates() []Template {
	off := false
	return []Template{
		{ID: "pending_remind", Automation: triage.NewAutomation{
			Name: "待客户回复 3 天：提醒客户", Kind: triage.AutomationTime, Enabled: &off,
			Conditions: []triage.Condition{{Field: "status", Op: triage.OpIs, Value: string(triage.StatusPending)}},
			Age:        &triage.AutomationAge{Since: triage.AgeSinceStatus, After: "3d"},
			Actions: []triage.Action{
				{Type: triage.ActReply, Body: "{{requester.name}}您好，关于「{{ticket.title}}」我们还在等您的回复。如果问题已经解决，无需回复，工单将在 4 天后自动标记为已解决。"},
				{Type: triage.ActAddTags, Tags: []string{"auto_reminded"}},
			}}},
		{ID: "pending_solve", Automation: triage.NewAutomation{
			Name: "待客户回复 7 天：标记为已解决", Kind: triage.AutomationTime, Enabled: &off,
			Conditions: []triage.Condition{{Field: "status", Op: triage.OpIs, Value: string(triage.StatusPending)}, {Field: "tags", Op: triage.OpHas, Value: "auto_reminded"}},
			Age:        &triage.AutomationAge{Since: triage.AgeSinceStatus, After: "7d"},
			Actions:    []triage.Action{{Type: triage.ActSetStatus, Value: string(triage.StatusSolved)}}}},
		{ID: "new_unassigned_lead", Automation: triage.NewAutomation{
			Name: "新工单 30 分钟无人接：通知组长", Kind: triage.AutomationTime, Enabled: &off,
			Conditions: []triage.Condition{{Field: "status", Op: triage.OpIs, Value: string(triage.StatusNew)}, {Field: "assignee_id", Op: triage.OpAbsent}},
			Age:        &triage.AutomationAge{Since: triage.AgeSinceCreated, After: "30m"},
			Actions: []triage.Action{{Type: triage.ActEmail, To: triage.MailToTeamLead, Subject: "工单 {{ticket.ref}} 30 分钟无人接单",
				Body: "「{{ticket.title}}」（{{ticket.priority}}）创建 30 分钟仍未分配，请安排处理。"}}}},
	}
}

// BuiltinRule is a time rule the service runs by itself, shown beside
// the admins' own.
type BuiltinRule struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Setting is the workflow setting that changes it
	// (PATCH /v1/settings/workflow); After its value ("off" when it is
	// off).
	Setting string `json:"setting"`
	After   string `json:"after"`
	Enabled bool   `json:"enabled"`
	// UpdatedBy and UpdatedAt say who set it last; empty while it is
	// the value the service was started with.
	UpdatedBy string     `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// CloseSolvedRule is the built-in closing of solved tickets as the
// workflow settings s have it.
func CloseSolvedRule(s triage.WorkflowSettings) BuiltinRule {
	r := BuiltinRule{ID: "close_solved", Name: "已解决 → 已关闭（工作时间）", Setting: "close_solved_after",
		After: s.CloseSolvedAfter, Enabled: s.CloseSolvedAfter != "off" && s.CloseSolvedAfter != "0" && s.CloseSolvedAfter != ""}
	if !r.Enabled {
		r.After = "off"
	}
	if s.Version > 0 {
		at := s.UpdatedAt
		r.UpdatedBy, r.UpdatedAt = s.UpdatedBy, &at
	}
	return r
}
