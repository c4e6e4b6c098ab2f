package pii

// classify decides what a run of digits (grouped as typed) is. prefixed
// reports that d starts with a country code that is part of the match.
func classify(d string, lens []int, x, cardContext bool) (kind Kind, prefixed bool) {
	n := len(d)
	if x {
		if n == 17 && grouped(lens, []int{17}, []int{6, 8, 3}) && validID18(d+"X") {
			return IDCard, false
		}
		return "", false
	}
	switch {
	case n == 18 && grouped(lens, []int{18}, []int{6, 8, 4}) && validID18(d):
		return IDCard, false
	case n == 11 && grouped(lens, []int{11}, []int{3, 4, 4}, []int{3, 8}) && isMobile(d):
		return Phone, false
	case n == 13 && d[:2] == "86" && grouped(lens, []int{13}, []int{2, 11}, []int{2, 3, 4, 4}, []int{2, 3, 8}) && isMobile(d[2:]):
		return Phone, true
	case n == 15 && d[:4] == "0086" && grouped(lens, []int{4, 11}, []int{4, 3, 4, 4}) && isMobile(d[4:]):
		return Phone, false
	case n == 15 && grouped(lens, []int{15}) && validID15(d):
		return IDCard, false
	case n >= 13 && n <= 19 && cardGrouped(lens) && luhn(d) && (cardPrefix(d) || cardContext):
		return BankCard, false
	}
	return "", false
}

func grouped(lens []int, allowed ...[]int) bool {
	for _, a := range allowed {
		if len(a) != len(lens) {
			continue
		}
		ok := true
		for i := range a {
			if a[i] != lens[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// cardGrouped accepts the way card numbers are printed and typed: one run,
// groups of four with a shorter tail, or the 6+13 split of some 19-digit
// UnionPay cards.
func cardGrouped(lens []int) bool {
	if len(lens) == 1 || grouped(lens, []int{6, 13}) {
		return true
	}
	if len(lens) < 3 {
		return false
	}
	for _, l := range lens[:len(lens)-1] {
		if l != 4 {
			return false
		}
	}
	last := lens[len(lens)-1]
	return last >= 1 && last <= 4
}

// cardPrefix accepts the issuer prefixes of cards seen in China: UnionPay
// (62, and the older 60/9x debit ranges), Visa (4), Mastercard (51-55 and
// 2221-2720), American Express (34, 37), JCB (35), Diners (30, 36, 38).
// Order and waybill numbers usually start with a date (20…) or 1, which this
// excludes; a Luhn check alone lets one in ten of them through.
func cardPrefix(d string) bool {
	switch d[0] {
	case '3', '4', '5', '6', '9':
		return true
	case '2':
		p := atoi(d[:4])
		return p >= 2221 && p <= 2720
	}
	return false
}

func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// isMobile accepts mainland mobile numbers: 1, then 3-9, then nine digits.
func isMobile(d string) bool { return len(d) == 11 && d[0] == '1' && d[1] >= '3' }

var id18Weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// validID18 checks an 18-character identity number (GB 11643): a known
// province code, a real birth date, and the ISO 7064 MOD 11-2 check
// character. d is 17 digits followed by a digit or X.
func validID18(d string) bool {
	if len(d) != 18 || !provinceCode(d[:2]) || !validDate(atoi(d[6:10]), atoi(d[10:12]), atoi(d[12:14])) {
		return false
	}
	sum := 0
	for i, w := range id18Weights {
		sum += int(d[i]-'0') * w
	}
	return d[17] == "10X98765432"[sum%11]
}

// validID15 checks the pre-1999 15-digit form, which has no check digit:
// a province code and a real 19YYMMDD birth date are all there is.
func validID15(d string) bool {
	return len(d) == 15 && provinceCode(d[:2]) && validDate(1900+atoi(d[6:8]), atoi(d[8:10]), atoi(d[10:12]))
}

func provinceCode(p string) bool {
	switch v := atoi(p); {
	case v >= 11 && v <= 15, v >= 21 && v <= 23, v >= 31 && v <= 37, v >= 41 && v <= 46,
		v >= 50 && v <= 54, v >= 61 && v <= 65, v == 71, v >= 81 && v <= 83:
		return true
	}
	return false
}

// validDate bounds the year so that a plausible birth date is required
// without making the result depend on today's date.
func validDate(y, m, d int) bool {
	if y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 29
	}
	return d <= days
}

// atoi parses a short string of ASCII digits.
func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}
