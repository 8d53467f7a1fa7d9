package grok

import (
	"math"
	"strconv"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ipaddr"
)

// set converts v to the capture's type and sets it on d. v is not empty. Strings and IP
// addresses alias v.
func (c *capture) set(v []byte, d *ecs.Document, loc *time.Location, ref int64) error {
	switch c.kind {
	case kindString:
		if c.path == fieldMessage {
			d.SetMessage(v)
		} else {
			d.SetBytes(c.path, v)
		}
		return nil
	case kindInt:
		if n, ok := parseInt(v); ok {
			d.SetInt(c.path, n)
			return nil
		}
	case kindFloat:
		if f, ok := parseFloat(v); ok {
			d.SetFloat(c.path, f)
			return nil
		}
	case kindBool:
		if b, ok := parseBool(v); ok {
			d.SetBool(c.path, b)
			return nil
		}
	case kindIP:
		if ipaddr.Valid(v) {
			d.SetBytes(c.path, v)
			return nil
		}
	case kindTime:
		if ns, ok := c.parseTime(v, loc, ref); ok {
			if c.path == fieldTimestamp {
				d.SetTimestamp(ns)
			} else {
				d.SetTime(c.path, time.Unix(0, ns))
			}
			return nil
		}
	}
	return newConversionError(c, v)
}

// parseInt reads a decimal int64 with an optional sign.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxUint64-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true // 1<<63 wraps to math.MinInt64, its own negation
	case !neg && n <= math.MaxInt64:
		return int64(n), true
	}
	return 0, false
}

// parseFloat reads a finite decimal number: digits, one '.', an exponent. Go's other
// spellings (hexadecimal, "Inf", "NaN", underscores) are refused.
func parseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 64 {
		return 0, false
	}
	digits := false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-':
			return 0, false
		}
	}
	if !digits {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// parseBool reads true, false, t, f, yes, no, y, n, on, off, 1 and 0, in any case.
func parseBool(b []byte) (bool, bool) {
	if len(b) > 5 {
		return false, false
	}
	var lower [5]byte
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	switch string(lower[:len(b)]) {
	case "true", "t", "yes", "y", "on", "1":
		return true, true
	case "false", "f", "no", "n", "off", "0":
		return false, true
	}
	return false, false
}
