package hec

import (
	"math"
	"strconv"

	"github.com/trolly-logs/trolly/internal/epoch"
)

// unixNanos reads HEC's time: decimal Unix seconds with an optional fraction (exact to the
// nanosecond), an integer in a larger unit (by its size, as the processor reads epoch
// numbers: see epoch.UnitOf), or any other non-negative JSON number of seconds. It fails on
// negative times and on those past 2262.
func unixNanos(b []byte) (int64, bool) {
	if ns, n, ok := epoch.Scan(b, epoch.Auto); ok && n == len(b) {
		return ns, true
	}
	return floatNanos(b)
}

// floatNanos reads any other JSON number of seconds, such as 1.7145576e9.
func floatNanos(b []byte) (int64, bool) {
	for _, c := range b { // only what a JSON number may hold: no "NaN", "Inf" or "0x1p3"
		if !epoch.IsDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f < 0 || f*1e9 >= math.MaxInt64 || math.IsNaN(f) {
		return 0, false
	}
	return int64(f * 1e9), true
}
