package timestamp

import (
	"math"
	"time"
)

// civil is a time as written: fields before the zone is applied.
type civil struct {
	year, month, day  int
	hour, minute, sec int
	nsec              int
	offset            int // seconds east of UTC, when zoned
	zoned             bool
	leapOK            bool // the format allows a leap second
	noYear            bool // none was written: inferYear finds it
}

// valid reports whether the fields name a real time. A leap second (60) is allowed where
// RFC 3339 allows it; it becomes the first second of the next minute.
func (c *civil) valid() bool {
	return c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= daysIn(c.month, c.year) &&
		c.hour <= 23 && c.minute <= 59 && (c.sec <= 59 || c.sec == 60 && c.leapOK)
}

// unixNano applies the zone: the written offset, else loc.
func (c *civil) unixNano(loc *time.Location) (int64, bool) {
	if !c.valid() {
		return 0, false
	}
	var sec int64
	switch {
	case c.zoned:
		sec = civilSeconds(c) - int64(c.offset)
	case loc == nil || loc == time.UTC:
		sec = civilSeconds(c)
	default:
		sec = time.Date(c.year, time.Month(c.month), c.day, c.hour, c.minute, c.sec, 0, loc).Unix()
	}
	return toNano(sec, int64(c.nsec))
}

// civilSeconds counts seconds since the Unix epoch as if the fields were UTC, with Howard
// Hinnant's days-from-civil, which time.Date would do with more branches.
func civilSeconds(c *civil) int64 {
	y, m := int64(c.year), int64(c.month)
	if m <= 2 {
		y--
	}
	era := y / 400 // years are positive here
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + int64(c.day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468
	return days*86400 + int64(c.hour)*3600 + int64(c.minute)*60 + int64(c.sec)
}

// toNano joins seconds and nanoseconds, failing outside the range of int64 nanoseconds.
func toNano(sec, nsec int64) (int64, bool) {
	const maxSec = math.MaxInt64 / int64(time.Second)
	if sec > maxSec || sec < -maxSec-1 {
		return 0, false
	}
	if sec == -maxSec-1 { // the first representable second starts mid-way
		n := (sec+1)*int64(time.Second) + nsec - int64(time.Second)
		return n, nsec >= int64(time.Second)-(math.MaxInt64%int64(time.Second))-1
	}
	n := sec * int64(time.Second)
	if n > math.MaxInt64-nsec {
		return 0, false
	}
	return n + nsec, true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(m, year int) int {
	switch m {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// futureSlack is how far ahead of the receive time a time without a year may lie before it
// is taken for last year's: clocks drift, and shippers hold lines back.
const futureSlack = 31 * 24 * time.Hour

// inferYear gives c the year that puts it nearest ref without being more than futureSlack
// ahead of it. 29 February looks back to the last leap year.
func (c *civil) inferYear(loc *time.Location, ref int64) (int64, bool) {
	if loc == nil {
		loc = time.UTC
	}
	t := time.Unix(0, ref).In(loc)
	limit := ref + int64(futureSlack)
	if limit < ref {
		limit = math.MaxInt64
	}
	// Next year's date can only be near enough in December, as futureSlack < 32 days.
	first := t.Year()
	if t.Month() == time.December {
		first++
	}
	for y := first; y >= t.Year()-8; y-- {
		c.year = y
		if !c.valid() {
			continue
		}
		if ns, ok := c.unixNano(loc); ok && ns <= limit {
			return ns, true
		}
	}
	return 0, false
}
