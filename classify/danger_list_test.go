package classify_test

import (
	"testing"

	"github.com/triagehq/triage/classify"
)

// TestDangerOneList: Danger reads priority's safety and threat words with
// their negation and exceptions, the words the draft writer used to keep
// apart included.
func TestDangerOneList(t *testing.T) {
	tests := []struct {
		text           string
		hazard, threat bool
	}{
		{"充电器冒烟了", true, false},
		{"充电时插头有火花", true, false},
		{"闻到一股焦味", true, false},
		{"摸到机身有点麻手", true, false},
		{"The charger started smoking", true, false},
		{"充电器没有冒烟也不烫", false, false},
		{"我要去12315投诉", false, true},
		{"我不会去12315投诉的", false, false},
		{"准备申请仲裁", false, true},
		{"I will call my lawyer", false, true},
		{"工商银行的卡退款", false, false},
		{"烟雾报警器一直响", false, false},
		{"机器吞了我的卡", false, false},
		{"卡号6222021231512345", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			h, th := classify.Danger(tc.text)
			if h != tc.hazard || th != tc.threat {
				t.Errorf("Danger(%q) = hazard %v threat %v, want %v %v", tc.text, h, th, tc.hazard, tc.threat)
			}
		})
	}
}
