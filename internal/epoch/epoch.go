// Package epoch reads Unix times written as decimal numbers, "1714557600" or
// "1714557600123.5", in a given unit or one that follows from the number's size. It is
// shared by the processor's time parsing and the ingest protocols that carry such times
// (Splunk HEC), so both read the same number as the same time. It does not allocate.
package epoch

import (
	"math"
	"time"
)

// Unit is the size of one tick in nanoseconds; Auto picks it from the number (see UnitOf).
type Unit int64

// Units of an epoch number.
const (
	Auto    Unit = 0
	Seconds Unit = Unit(time.Second)
	Millis  Unit = Unit(time.Millisecond)
	Micros  Unit = Unit(time.Microsecond)
	Nanos   Unit = 1
)

// UnitOf picks the unit of an epoch number by its size: below 1e11 seconds (up to the
// year 5138), then milliseconds, microseconds and nanoseconds by factors of a thousand.
func UnitOf(x uint64) Unit {
	switch {
	case x < 1e11:
		return Seconds
	case x < 1e14:
		return Millis
	case x < 1e17:
		return Micros
	}
	return Nanos
}

// Scan reads an epoch number at the start of v: digits, and an optional fraction of the
// unit after a '.' (exact to the nanosecond; further digits are read and dropped). n is the
// number of bytes it takes; a '.' without digits after it is not part of the number. It
// fails on more than 19 integer digits and on times past 2262.
func Scan(v []byte, u Unit) (ns int64, n int, ok bool) {
	var x uint64
	for n < len(v) && IsDigit(v[n]) {
		if n == 19 {
			return 0, 0, false
		}
		x = x*10 + uint64(v[n]-'0')
		n++
	}
	if n == 0 {
		return 0, 0, false
	}
	var frac int
	if n+1 < len(v) && v[n] == '.' && IsDigit(v[n+1]) {
		frac, n = Fraction(v, n+1)
	}
	if u == Auto {
		u = UnitOf(x)
	}
	if x > uint64(math.MaxInt64/int64(u)) {
		return 0, 0, false
	}
	ns = int64(x) * int64(u)
	add := int64(frac) / (int64(time.Second) / int64(u)) // the fraction in nanoseconds
	if ns > math.MaxInt64-add {
		return 0, 0, false
	}
	return ns + add, n, true
}

// Fraction reads the digits of a decimal fraction at v[i:] as nanoseconds; digits past the
// ninth are read and dropped. end is where the digits stop.
func Fraction(v []byte, i int) (nsec, end int) {
	scale := 100_000_000
	for end = i; end < len(v) && IsDigit(v[end]); end++ {
		nsec += int(v[end]-'0') * scale
		scale /= 10
	}
	return nsec, end
}

// IsDigit reports whether c is an ASCII decimal digit.
func IsDigit(c byte) bool { return c >= '0' && c <= '9' }
