package pii

import (
	"testing"
)

func TestFacts(t *testing.T) {
	tests := []struct {
		name, text string
		want       []Fact
	}{
		{"amount and order", "订单2026103007925273的退款399.00元已原路退回", []Fact{{Kind: FactOrder, Value: "2026103007925273"}, {Kind: FactAmount, Value: "399"}}},
		{"full-width amount", "补偿￥１００", []Fact{{Kind: FactAmount, Value: "100"}}},
		{"waybill", "顺丰单号SF1234567890", []Fact{{Kind: FactTracking, Value: "SF1234567890"}}},
		{"labelled tracking", "快递单号：773012345678901", []Fact{{Kind: FactTracking, Value: "773012345678901"}}},
		{"phone", "请拨打13800138000", []Fact{{Kind: FactKind(Phone), Value: "13800138000"}}},
		{"date", "已于2026年10月30日发出", []Fact{{Kind: FactDate, Value: "20261030"}}},
		{"model", "新款WH-1000XM5耳机", []Fact{{Kind: FactModel, Value: "WH-1000XM5"}}},
		{"small number", "3天前申请", []Fact{{Kind: FactNumber, Value: "3"}}},
		{"no digits", "请擦拭触点", nil},
		{"range", "限额常见为2000–5000元", []Fact{{Kind: FactNumber, Value: "2000"}, {Kind: FactAmount, Value: "5000"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Facts(tc.text)
			if len(got) != len(tc.want) {
				t.Fatalf("Facts(%q) = %+v, want %+v", tc.text, got, tc.want)
			}
			for i, f := range got {
				if f.Kind != tc.want[i].Kind || f.Value != tc.want[i].Value {
					t.Errorf("fact %d = %+v, want %+v", i, f, tc.want[i])
				}
				if f.Start < 0 || f.End > len(tc.text) || f.Start >= f.End {
					t.Errorf("fact %d span %d-%d out of %q", i, f.Start, f.End, tc.text)
				}
			}
		})
	}
}

func TestForeign(t *testing.T) {
	tests := []struct {
		name, text string
		grounds    []string
		want       int
	}{
		{"grounded amount in another spelling", "退款399.00元", []string{"付了￥399"}, 0},
		{"foreign amount", "退款1899.00元已退回", []string{"牙刷是假货"}, 1},
		{"grounded order", "订单2026103007925273", []string{"我的订单号是 2026103007925273"}, 0},
		{"foreign order and amount", "新耳机今天发出，100元补偿券", []string{"卖假货 要求退一赔三"}, 1},
		{"article number", "1–7个工作日到账", []string{"储蓄卡：1–7 个工作日"}, 0},
		{"foreign small number", "已于3天前退回", []string{"退款没到"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Foreign(tc.text, tc.grounds...); len(got) != tc.want {
				t.Errorf("Foreign(%q) = %+v, want %d", tc.text, got, tc.want)
			}
		})
	}
}
