package sourcetype

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// JSONParser is the "json" source type: the line is a JSON object whose fields are all kept
// (nested objects and dotted keys both name paths). A string "message" becomes the message,
// and "@timestamp" (RFC 3339, or epoch milliseconds as a number) the event's time.
// The processor also uses it for records that arrive as JSON whatever their source type.
type JSONParser struct{}

// Parse merges the object in line into doc.
func (JSONParser) Parse(line []byte, doc *ecs.Document, _ *Env) error {
	if err := doc.MergeJSON(line); err != nil {
		if errors.Is(err, ecs.ErrNotObject) {
			return noMatch(err, "json: the record is JSON but not an object")
		}
		return noMatch(err, "json: %v", err)
	}
	var tsErr error
	if v, isString, ok := doc.Take("@timestamp"); ok {
		ns, present, err := jsonTime(v, isString)
		switch {
		case err != nil:
			tsErr = err
		case present:
			doc.SetTimestamp(ns)
		}
	}
	// A message that is not a string is dropped: the record's text, which the processor
	// then uses as the message, still holds it.
	if v, isString, ok := doc.Take("message"); ok && isString {
		doc.SetMessage(v)
	}
	return tsErr
}

// jsonTime reads a JSON @timestamp: an RFC 3339 string or a number of epoch milliseconds.
// null means absent.
func jsonTime(v []byte, isString bool) (unixNano int64, present bool, err error) {
	if isString {
		t, perr := time.Parse(time.RFC3339Nano, string(v))
		if perr != nil || !inNanoRange(t) {
			return 0, false, badTimestamp("@timestamp %s: not an RFC 3339 time between the years 1678 and 2262", quote(v))
		}
		return t.UnixNano(), true, nil
	}
	if string(v) == "null" {
		return 0, false, nil
	}
	const maxMillis = math.MaxInt64 / int64(time.Millisecond)
	if !bytes.ContainsAny(v, ".eE") {
		ms, perr := strconv.ParseInt(string(v), 10, 64)
		if perr == nil && ms >= -maxMillis && ms <= maxMillis {
			return ms * int64(time.Millisecond), true, nil
		}
	} else if ms, perr := strconv.ParseFloat(string(v), 64); perr == nil && math.Abs(ms) <= float64(maxMillis) {
		return int64(math.Round(ms * float64(time.Millisecond))), true, nil
	}
	return 0, false, badTimestamp("@timestamp %s: not an RFC 3339 string or epoch milliseconds between the years 1678 and 2262", quote(v))
}

// inNanoRange reports whether t has a Unix time in nanoseconds.
func inNanoRange(t time.Time) bool {
	return !t.Before(time.Unix(0, math.MinInt64)) && !t.After(time.Unix(0, math.MaxInt64))
}
