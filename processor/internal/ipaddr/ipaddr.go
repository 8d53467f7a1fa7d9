// Package ipaddr checks IP addresses in bytes without allocating, for the parsers that run
// per line.
package ipaddr

import "bytes"

// Valid reports whether b is an IPv4 or IPv6 address without a zone (Elasticsearch's ip
// type takes none), as netip.ParseAddr would, which the fuzz test checks. It is written out
// because netip would need a string, which allocates.
func Valid(b []byte) bool {
	if bytes.IndexByte(b, ':') >= 0 {
		return ipv6(b)
	}
	return ipv4(b)
}

// ipv4 reports whether b is a dotted quad without leading zeros.
func ipv4(b []byte) bool {
	parts, n, digits := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || n > 255 || (digits > 1 && b[i-digits] == '0') {
				return false
			}
			parts, n, digits = parts+1, 0, 0
			continue
		}
		if c := b[i]; c >= '0' && c <= '9' && digits < 3 {
			n, digits = n*10+int(c-'0'), digits+1
			continue
		}
		return false
	}
	return parts == 4
}

// ipv6 reports whether b is eight groups of up to four hex digits, where one "::" stands
// for one or more zero groups and a dotted quad may stand for the last two.
func ipv6(b []byte) bool {
	groups, ellipsis := 0, false
	if bytes.HasPrefix(b, []byte("::")) {
		ellipsis, b = true, b[2:]
	}
	for len(b) > 0 {
		n := 0
		for n < len(b) && n < 5 && isHex(b[n]) {
			n++
		}
		if n < len(b) && b[n] == '.' {
			if groups > 6 || (!ellipsis && groups != 6) || !ipv4(b) {
				return false
			}
			groups += 2
			break
		}
		if n == 0 || n > 4 {
			return false
		}
		groups++
		b = b[n:]
		if len(b) == 0 {
			break
		}
		if b[0] != ':' || len(b) == 1 {
			return false
		}
		b = b[1:]
		if b[0] == ':' {
			if ellipsis {
				return false
			}
			ellipsis, b = true, b[1:]
		}
	}
	if ellipsis {
		return groups < 8
	}
	return groups == 8
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
