package cep

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/search/query"
)

// value returns the first value of path in f, as text (a string unescaped, a number or a
// boolean as written), and whether there is one.
func value(f query.Fields, path string) (string, bool) {
	var out string
	found := f.AnyValue(path, func(v []byte, _, _ bool) bool {
		out = string(v)
		return true
	})
	return out, found
}

// number returns the first value of path as a number: a JSON number, or a string that is
// one.
func number(f query.Fields, path string) (float64, bool) {
	v, ok := value(f, path)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return n, err == nil
}

// groupOf returns the values of fields in ev, joined as a map key, or false when one is
// missing: an event without a group's field belongs to no group.
func groupOf(ev *Event, fields []string) (key string, values []string, ok bool) {
	if len(fields) == 0 {
		return "", nil, true
	}
	values = make([]string, len(fields))
	for i, f := range fields {
		if values[i], ok = value(ev.Fields, f); !ok {
			return "", nil, false
		}
	}
	return strings.Join(values, "\x00"), values, true
}

// alertID derives an alert's id from what makes it one: its rule and version, the parts
// (a group, an event id) and the start of its window, sequence or silence.
func alertID(ruleID string, version int, start time.Time, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(ruleID))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(version))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(start.UnixNano()))
	h.Write(n[:])
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// addID appends id to ids unless they hold limit.
func addID(ids []string, id string, limit int) []string {
	if len(ids) >= limit {
		return ids
	}
	return append(ids, id)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
