package timestamp

import (
	"fmt"
	"math"
	"time"
)

// Clamp keeps ts when it lies within maxPast before and maxFuture after ref, and otherwise
// returns ref with ok false, for the caller to tag the event: a time decades off is a broken
// clock or a misread field, and would land the event in an index no one searches. A bound
// of zero or less is no bound.
func Clamp(ts, ref int64, maxPast, maxFuture time.Duration) (unixNano int64, ok bool) {
	if maxPast > 0 && ts < satAdd(ref, -int64(maxPast)) {
		return ref, false
	}
	if maxFuture > 0 && ts > satAdd(ref, int64(maxFuture)) {
		return ref, false
	}
	return ts, true
}

// satAdd adds without wrapping around.
func satAdd(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}

// LoadLocation returns the time zone of a stream: "" and "UTC" are UTC, an IANA name such
// as "Europe/Paris" its zone (from the tzdata embedded in the binary when the system has
// none), and "+01:00", "-0530" or "+02" a fixed offset. "Local" is refused: the server's
// own zone means nothing to a tenant.
func LoadLocation(name string) (*time.Location, error) {
	switch name {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		return nil, fmt.Errorf("time zone %q: name the zone, the server's local one is not the sender's", name)
	}
	if name[0] == '+' || name[0] == '-' {
		var c civil
		if n, ok := offset([]byte(name), 0, &c); ok && n == len(name) {
			return time.FixedZone(name, c.offset), nil
		}
		return nil, fmt.Errorf("time zone %q: an offset is ±hh, ±hhmm or ±hh:mm", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}
