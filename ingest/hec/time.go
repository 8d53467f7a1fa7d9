package hec

import (
	"math"
	"strconv"
)

// Integers at or above these are not seconds but milli-, micro- or nanoseconds: 1e11 s is
// the year 5138, 1e14 ms the year 5138 again, and so on.
const (
	secondsBelow = 1e11
	millisBelow  = 1e14
	microsBelow  = 1e17
)

// unixNanos reads HEC's time: decimal Unix seconds with an optional fraction (exact to the
// nanosecond), an integer in a larger unit (see secondsBelow), or any other non-negative
// JSON number of seconds. It fails on negative times and on those past 2262.
func unixNanos(b []byte) (int64, bool) {
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	if i == 0 || i > 19 {
		return floatNanos(b)
	}
	whole, err := strconv.ParseUint(string(b[:i]), 10, 64)
	if err != nil {
		return 0, false
	}
	switch {
	case i == len(b):
		return scaleInteger(whole)
	case b[i] != '.':
		return floatNanos(b)
	}
	frac := b[i+1:]
	var ns int64
	for j := range 9 {
		ns *= 10
		if j < len(frac) {
			if !isDigit(frac[j]) {
				return floatNanos(b)
			}
			ns += int64(frac[j] - '0')
		}
	}
	for _, c := range frac[min(9, len(frac)):] {
		if !isDigit(c) {
			return floatNanos(b)
		}
	}
	if len(frac) == 0 || whole > uint64((math.MaxInt64-ns)/1e9) {
		return 0, false
	}
	return int64(whole)*1e9 + ns, true
}

func scaleInteger(v uint64) (int64, bool) {
	var ns uint64
	switch {
	case v < secondsBelow:
		ns = v * 1e9 // no overflow in uint64 below 1e11; checked against int64 below
	case v < millisBelow:
		ns = v * 1e6
	case v < microsBelow:
		ns = v * 1e3
	default:
		ns = v
	}
	if ns > math.MaxInt64 {
		return 0, false
	}
	return int64(ns), true
}

// floatNanos reads any other JSON number of seconds, such as 1.7145576e9.
func floatNanos(b []byte) (int64, bool) {
	for _, c := range b { // only what a JSON number may hold: no "NaN", "Inf" or "0x1p3"
		if !isDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f < 0 || f*1e9 >= math.MaxInt64 || math.IsNaN(f) {
		return 0, false
	}
	return int64(f * 1e9), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
