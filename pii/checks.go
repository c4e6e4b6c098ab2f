package pii

// classify decides what a run of digits (grouped as typed) is, cardLabel
// saying that a label such as 卡号 precedes it, and
// returns the key that identifies the value whatever its spelling: the
// same phone number typed as +86 138 0013 8000 and 13800138000 has one key.
func classify(d string, lens []int, x bool, cardLabel bool) (Kind, string) {
	n := len(d)
	if x {
		if n == 17 && idGrouped(lens, 17) && validID18(d+"X") {
			return IDCard, d + "X"
		}
		return "", ""
	}
	switch {
	case n == 18 && idGrouped(lens, 18) && validID18(d):
		return IDCard, d
	case n == 11 && isMobile(d) && mobileGrouped(lens):
		return Phone, d
	case n == 13 && d[:2] == "86" && isMobile(d[2:]) && (len(lens) == 1 || lens[0] == 2 && mobileGrouped(lens[1:])):
		return Phone, d[2:]
	case n == 15 && d[:4] == "0086" && isMobile(d[4:]) && (len(lens) == 1 || lens[0] == 4 && mobileGrouped(lens[1:])):
		return Phone, d[4:]
	case n == 15 && (grouped(lens, []int{15}, []int{6, 6, 3}) || singles(lens)) && validID15(d):
		return IDCard, d
	}
	if key, ok := landline(d, lens); ok {
		return Landline, key
	}
	if couldBeCard(d, lens, x) && (cardLabel || cardPrefix(d)) {
		return BankCard, d
	}
	return "", ""
}

// couldBeCard reports a number that is a bank card if its prefix is known
// or a label such as 卡号 vouches for it.
func couldBeCard(d string, lens []int, x bool) bool {
	return !x && len(d) >= 14 && len(d) <= 19 && cardGrouped(lens) && luhn(d)
}

// singles reports a number typed digit by digit: 1 3 8 0 0 1 3 8 0 0 0.
func singles(lens []int) bool {
	for _, l := range lens {
		if l != 1 {
			return false
		}
	}
	return len(lens) > 1
}

// mobileGrouped accepts 11 digits in one run, in two or three groups of at
// least three (138 0013 8000, 138 00138000, 1380013 8000) or one by one.
func mobileGrouped(lens []int) bool {
	if singles(lens) {
		return true
	}
	if len(lens) > 3 {
		return false
	}
	for _, l := range lens {
		if l < 3 && len(lens) > 1 {
			return false
		}
	}
	return true
}

// idGrouped accepts the ways an identity number is typed: one run, the
// 6+8+4 split at the birth date, groups of four after the region code, or
// digit by digit. n is 18, or 17 when an X follows.
func idGrouped(lens []int, n int) bool {
	t := n - 14 // the tail: 4 digits, or 3 before an X
	return singles(lens) || grouped(lens, []int{n}, []int{6, 8, t}, []int{6, 4, 4, t}, []int{3, 3, 4, 4, t})
}

// landline recognises a fixed-line number with its area code: 010-12345678,
// (0755) 1234567, 0571 8888 6666, 02112345678, +86 10 12345678,
// 0086-755-12345678. Without an area code a local number is too much like
// any other eight digits to mask. The key is the number as dialled at
// home: 0, area code, local number. Local numbers are assigned from 2 to
// 8, but people write examples and typos starting with 1 or 9 too, and
// those are what a careless mask would leak: only a 0 is refused.
func landline(d string, lens []int) (string, bool) {
	switch {
	case len(lens) >= 3 && lens[0] == 2 && d[:2] == "86" && (lens[1] == 2 || lens[1] == 3):
		// +86 10 12345678: the area code without its 0.
		return landlineParts("0"+d[2:], append([]int{lens[1] + 1}, lens[2:]...))
	case len(lens) >= 3 && lens[0] == 4 && d[:4] == "0086" && (lens[1] == 2 || lens[1] == 3):
		return landlineParts("0"+d[4:], append([]int{lens[1] + 1}, lens[2:]...))
	}
	return landlineParts(d, lens)
}

func landlineParts(d string, lens []int) (string, bool) {
	area := areaCodeLen(d)
	if area == 0 {
		return "", false
	}
	local := d[area:]
	switch {
	case local[0] == '0':
		return "", false
	case area == 3 && len(local) != 8, area == 4 && len(local) != 7 && len(local) != 8:
		return "", false
	}
	l := len(local)
	ok := singles(lens) || len(lens) == 1 || grouped(lens, []int{area, l}, []int{area, 4, l - 4}, []int{area, l - 4, 4})
	return d, ok
}

// areaCodeLen returns the length of the mainland area code d starts with,
// 0 when it starts with none: 010 and 02x are three digits, the others
// 0 then three digits of which the second is not 0.
func areaCodeLen(d string) int {
	if len(d) < 10 || d[0] != '0' {
		return 0
	}
	switch {
	case d[1] == '1' && d[2] == '0', d[1] == '2':
		return 3
	case d[1] >= '3' && d[1] <= '9' && d[2] >= '1':
		return 4
	}
	return 0
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
// groups of four with a shorter tail, American Express's 4+6+5 (and
// Diners' 4+6+4), the 6+13 split of some 19-digit UnionPay cards, or digit
// by digit.
func cardGrouped(lens []int) bool {
	if len(lens) == 1 || singles(lens) || grouped(lens, []int{6, 13}, []int{4, 6, 5}, []int{4, 6, 4}) {
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

// cardPrefix accepts the issuer prefixes, for each length, of cards seen
// in China: UnionPay (62, and the older 60 and 9x debit ranges, 16 to 19
// digits), Visa (4), Mastercard (51-55 and 2221-2720, 16 digits; 5x debit
// up to 19), JCB (3528-3589), American Express (34, 37; 15 digits),
// Diners (30, 36, 38; 14 or 16). Order and waybill numbers usually start
// with a date (20…) or 1, which this excludes; a Luhn check alone lets one
// in ten of them through. IMEIs (15 digits, Luhn-valid, mostly 35 or 86)
// fail it too.
func cardPrefix(d string) bool {
	n, p2, p4 := len(d), atoi(d[:2]), atoi(d[:4])
	switch n {
	case 14:
		return p2 == 30 || p2 == 36 || p2 == 38
	case 15:
		return p2 == 34 || p2 == 37
	}
	switch {
	case d[0] == '4', d[0] == '6', d[0] == '9', d[0] == '5':
		return true
	case p4 >= 3528 && p4 <= 3589:
		return true
	case n == 16 && (p2 == 36 || p4 >= 2221 && p4 <= 2720):
		return true
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
