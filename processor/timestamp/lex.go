package timestamp

import "github.com/trolly-logs/trolly/internal/epoch"

// digits reads exactly n decimal digits at v[i:].
func digits(v []byte, i, n int) (int, bool) {
	if i < 0 || i+n > len(v) {
		return 0, false
	}
	x := 0
	for _, c := range v[i : i+n] {
		if !epoch.IsDigit(c) {
			return 0, false
		}
		x = x*10 + int(c-'0')
	}
	return x, true
}

// day reads a day of the month at i: "2", " 2" or "02"; end is where it stops.
func day(v []byte, i int) (d, end int, ok bool) {
	if i < len(v) && v[i] == ' ' {
		i++
	}
	if d, ok = digits(v, i, 2); ok {
		return d, i + 2, true
	}
	d, ok = digits(v, i, 1)
	return d, i + 1, ok
}

// key3 packs three bytes for a switch, which Go compiles to a binary search.
func key3(a, b, c byte) uint32 { return uint32(a)<<16 | uint32(b)<<8 | uint32(c) }

// Month returns the month (1 to 12) whose English abbreviation starts v, as syslog and
// Apache write it (capitalised), or 0 for none.
func Month(v []byte) int { return month(v, 0) }

// month reads an English month abbreviation at v[i:] as written by syslog and Apache
// (capitalised), returning 0 for none.
func month(v []byte, i int) int {
	if i+3 > len(v) {
		return 0
	}
	switch key3(v[i], v[i+1], v[i+2]) {
	case 'J'<<16 | 'a'<<8 | 'n':
		return 1
	case 'F'<<16 | 'e'<<8 | 'b':
		return 2
	case 'M'<<16 | 'a'<<8 | 'r':
		return 3
	case 'A'<<16 | 'p'<<8 | 'r':
		return 4
	case 'M'<<16 | 'a'<<8 | 'y':
		return 5
	case 'J'<<16 | 'u'<<8 | 'n':
		return 6
	case 'J'<<16 | 'u'<<8 | 'l':
		return 7
	case 'A'<<16 | 'u'<<8 | 'g':
		return 8
	case 'S'<<16 | 'e'<<8 | 'p':
		return 9
	case 'O'<<16 | 'c'<<8 | 't':
		return 10
	case 'N'<<16 | 'o'<<8 | 'v':
		return 11
	case 'D'<<16 | 'e'<<8 | 'c':
		return 12
	}
	return 0
}

func weekday(v []byte) bool {
	if len(v) < 3 {
		return false
	}
	switch key3(v[0], v[1], v[2]) {
	case 'S'<<16 | 'u'<<8 | 'n', 'M'<<16 | 'o'<<8 | 'n', 'T'<<16 | 'u'<<8 | 'e', 'W'<<16 | 'e'<<8 | 'd',
		'T'<<16 | 'h'<<8 | 'u', 'F'<<16 | 'r'<<8 | 'i', 'S'<<16 | 'a'<<8 | 't':
		return true
	}
	return false
}
