package timestamp

import "github.com/trolly-logs/trolly/internal/epoch"

// The scanners read one format at the start of v and return how many bytes it took; the
// caller decides whether the rest of v may follow.

// scanISO reads RFC 3339 and the ISO 8601 forms that logs use: a 'T', 't' or space between
// date and time, seconds optional, a fraction after '.' or ',' (log4j), and a zone of Z,
// ±hh:mm, ±hhmm or ±hh, possibly after a space. A date alone is midnight.
func scanISO(v []byte) (c civil, n int, ok bool) {
	var ok1, ok2, ok3 bool
	c.year, ok1 = digits(v, 0, 4)
	c.month, ok2 = digits(v, 5, 2)
	c.day, ok3 = digits(v, 8, 2)
	if !ok1 || !ok2 || !ok3 || v[4] != '-' || v[7] != '-' {
		return c, 0, false
	}
	n, c.leapOK = 10, true
	if n+6 > len(v) || (v[n] != 'T' && v[n] != 't' && v[n] != ' ') || !epoch.IsDigit(v[n+1]) {
		return c, n, true
	}
	n, ok = scanClock(v, n+1, &c, false)
	if !ok {
		return c, 0, false
	}
	return c, scanZone(v, n, &c), true
}

// scanClock reads hh:mm[:ss][fraction] at i; seconds are required when needSec.
func scanClock(v []byte, i int, c *civil, needSec bool) (int, bool) {
	var ok1, ok2 bool
	c.hour, ok1 = digits(v, i, 2)
	c.minute, ok2 = digits(v, i+3, 2)
	if !ok1 || !ok2 || v[i+2] != ':' {
		return 0, false
	}
	i += 5
	if i < len(v) && v[i] == ':' {
		sec, ok := digits(v, i+1, 2)
		if !ok {
			return 0, false
		}
		c.sec = sec
		i += 3
		if i+1 < len(v) && (v[i] == '.' || v[i] == ',') && epoch.IsDigit(v[i+1]) {
			c.nsec, i = epoch.Fraction(v, i+1)
		}
	} else if needSec {
		return 0, false
	}
	return i, true
}

// scanZone reads an optional zone at i and returns where it ends. After a space only a
// numeric offset followed by the end or a space counts, so that the next word of a line is
// not taken for one.
func scanZone(v []byte, i int, c *civil) int {
	if i >= len(v) {
		return i
	}
	switch v[i] {
	case 'Z', 'z':
		c.zoned = true
		return i + 1
	case '+', '-':
		if j, ok := offset(v, i, c); ok {
			return j
		}
	case ' ':
		z := civil{}
		if j, ok := offset(v, i+1, &z); ok && (j == len(v) || v[j] == ' ') {
			c.offset, c.zoned = z.offset, true
			return j
		}
	}
	return i
}

// offset reads ±hh[[:]mm] at i.
func offset(v []byte, i int, c *civil) (int, bool) {
	if i >= len(v) || (v[i] != '+' && v[i] != '-') {
		return 0, false
	}
	hh, ok := digits(v, i+1, 2)
	if !ok || hh > 23 {
		return 0, false
	}
	j, mm := i+3, 0
	if j < len(v) && v[j] == ':' {
		if mm, ok = digits(v, j+1, 2); !ok {
			return 0, false
		}
		j += 3
	} else if m, ok := digits(v, j, 2); ok {
		mm, j = m, j+2
	}
	if mm > 59 {
		return 0, false
	}
	c.offset, c.zoned = hh*3600+mm*60, true
	if v[i] == '-' {
		c.offset = -c.offset
	}
	return j, true
}

// scanBSD reads the RFC 3164 time "Jan _2 15:04:05", with a fraction after the seconds or a
// year after the day ("Jan  2 2006 15:04:05") as some senders write them. The day may be
// padded with a space or a zero, or not at all.
func scanBSD(v []byte) (c civil, n int, ok bool) {
	if c.month = month(v, 0); c.month == 0 || len(v) < 4 || v[3] != ' ' {
		return c, 0, false
	}
	if c.day, n, ok = day(v, 4); !ok || n >= len(v) || v[n] != ' ' {
		return c, 0, false
	}
	n++
	c.noYear = true
	if y, ok := digits(v, n, 4); ok && n+5 < len(v) && v[n+4] == ' ' && epoch.IsDigit(v[n+5]) {
		c.year, c.noYear, n = y, false, n+5
	}
	if n, ok = scanClock(v, n, &c, true); !ok {
		return c, 0, false
	}
	return c, n, true
}

// scanApache reads the Apache error log time "Sun Dec 04 04:47:44 2005" (C's asctime), with
// the fraction Apache 2.4 adds to the seconds. The weekday is not checked against the date.
func scanApache(v []byte) (c civil, n int, ok bool) {
	if !weekday(v) || len(v) < 8 || v[3] != ' ' || v[7] != ' ' {
		return c, 0, false
	}
	if c.month = month(v, 4); c.month == 0 {
		return c, 0, false
	}
	if c.day, n, ok = day(v, 8); !ok || n >= len(v) || v[n] != ' ' {
		return c, 0, false
	}
	if n, ok = scanClock(v, n+1, &c, true); !ok || n >= len(v) || v[n] != ' ' {
		return c, 0, false
	}
	if c.year, ok = digits(v, n+1, 4); !ok {
		return c, 0, false
	}
	return c, n + 5, true
}

// scanCLF reads the access log time "02/Jan/2006:15:04:05 -0700"; the zone is required and
// is ±hhmm.
func scanCLF(v []byte) (c civil, n int, ok bool) {
	if len(v) < len("02/Jan/2006:15:04:05 -0700") || v[2] != '/' || v[6] != '/' || v[11] != ':' {
		return c, 0, false
	}
	var ok1, ok2 bool
	c.day, ok1 = digits(v, 0, 2)
	c.year, ok2 = digits(v, 7, 4)
	if c.month = month(v, 3); !ok1 || !ok2 || c.month == 0 {
		return c, 0, false
	}
	if n, ok = scanClock(v, 12, &c, true); !ok || n+6 > len(v) || v[n] != ' ' {
		return c, 0, false
	}
	hh, ok1 := digits(v, n+2, 2)
	mm, ok2 := digits(v, n+4, 2)
	if !ok1 || !ok2 || hh > 23 || mm > 59 || (v[n+1] != '+' && v[n+1] != '-') {
		return c, 0, false
	}
	c.offset, c.zoned = hh*3600+mm*60, true
	if v[n+1] == '-' {
		c.offset = -c.offset
	}
	return c, n + 6, true
}

// scanNginx reads the nginx error log time "2006/01/02 15:04:05".
func scanNginx(v []byte) (c civil, n int, ok bool) {
	var ok1, ok2, ok3 bool
	c.year, ok1 = digits(v, 0, 4)
	c.month, ok2 = digits(v, 5, 2)
	c.day, ok3 = digits(v, 8, 2)
	if !ok1 || !ok2 || !ok3 || len(v) < 11 || v[4] != '/' || v[7] != '/' || v[10] != ' ' {
		return c, 0, false
	}
	n, ok = scanClock(v, 11, &c, true)
	return c, n, ok
}
