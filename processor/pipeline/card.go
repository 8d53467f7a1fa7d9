package pipeline

// cardSpans finds payment card numbers: 13 to 19 digits, alone or in groups joined by
// one kind of separator (space or '-'), whose prefix and length are those of a card
// brand and whose Luhn checksum holds. The brand test keeps out most numbers that pass
// Luhn by chance (one in ten does), such as nanosecond timestamps and ids. Every group
// of digits may start a number, so that digits before a card do not hide it.
func cardSpans(s []byte, out []span) []span {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		// Every brand starts with 2 to 6.
		if '2' <= s[i] && s[i] <= '6' && cardBoundary(s, i-1) {
			if end := cardFrom(s, i); end > 0 {
				out = append(out, span{i, end})
				i = end
				continue
			}
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return out
}

// cardFrom returns the end of the longest card number that starts at s[i], or -1.
func cardFrom(s []byte, i int) int {
	best, digits := -1, 0
	var sep byte
	for j := i; ; {
		for j < len(s) && isDigit(s[j]) {
			j++
			digits++
		}
		if digits > 19 {
			return best
		}
		next := j+1 < len(s) && (s[j] == ' ' || s[j] == '-') && isDigit(s[j+1]) && (sep == 0 || s[j] == sep)
		if digits >= 13 && (next || cardBoundary(s, j)) && isCard(s[i:j], digits) {
			best = j
		}
		if !next {
			return best
		}
		sep = s[j]
		j++
	}
}

// cardBoundary reports whether s[i] may border a card number: the text's end, or a byte
// that is neither a letter, a digit nor a decimal point between digits.
func cardBoundary(s []byte, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	switch c := s[i]; {
	case isLetter(c) || isDigit(c) || c == '_':
		return false
	case c == '.':
		return i == 0 || !isDigit(s[i-1]) || i+1 == len(s) || !isDigit(s[i+1])
	}
	return true
}

// isCard checks the brand and the Luhn checksum of the n digits of number, which may
// hold separators.
func isCard(number []byte, n int) bool {
	sum, double := 0, false
	for i := len(number) - 1; i >= 0; i-- {
		if !isDigit(number[i]) {
			continue
		}
		d := int(number[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	if sum%10 != 0 {
		return false
	}
	var prefix [4]byte
	k := 0
	for _, c := range number {
		if k < len(prefix) && isDigit(c) {
			prefix[k] = c
			k++
		}
	}
	return brandLength(prefix, n)
}

// brandLength reports whether a number of n digits that starts with prefix belongs to a
// card brand's range (issuer numbers as the brands publish them).
func brandLength(prefix [4]byte, n int) bool {
	p := func(k int) int {
		v := 0
		for _, c := range prefix[:k] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	p2, p3, p4 := p(2), p(3), p(4)
	switch {
	case prefix[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case 51 <= p2 && p2 <= 55 || 2221 <= p4 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case 2200 <= p4 && p4 <= 2204, // Mir
		p4 == 6011 || p2 == 65 || 644 <= p3 && p3 <= 649, // Discover
		p2 == 62,                 // UnionPay
		3528 <= p4 && p4 <= 3589: // JCB
		return n >= 16
	case 300 <= p3 && p3 <= 305 || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39: // Diners Club
		return n >= 14
	case p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 || 6761 <= p4 && p4 <= 6763: // Maestro
		return true
	}
	return false
}
