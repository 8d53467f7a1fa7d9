// Package days reads the durations that tenants write in rules and settings: a Go
// duration ("90s", "24h") or a whole number of days ("30d").
package days

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a Go duration or a whole number of days; a negative one is an error.
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("duration %q: days must be a whole number", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("duration %q: %w", s, err)
	case v < 0:
		return 0, fmt.Errorf("duration %q: must not be negative", s)
	}
	return v, nil
}
