package sourcetype

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/timestamp"
)

// JSONParser is the "json" source type: the line is a JSON object whose fields are all kept
// (nested objects and dotted keys both name paths). A string "message" becomes the message,
// and "@timestamp" (RFC 3339, or epoch milliseconds as a number) the event's time.
// The processor also uses it for records that arrive as JSON whatever their source type.
//
// Objects written by loggers other than ECS ones are recognised too, each only when its ECS
// field is absent: the time from "timestamp", "time" or "ts" (RFC 3339 or epoch numbers,
// through package timestamp), the message from a string "msg" or "log", and log.level from
// "level", "lvl", "severity" or "loglevel" (lowercased; pino's numeric levels by name). A key
// that is used is moved, not copied, so the document does not hold each value twice; one
// that cannot be used stays where it was.
type JSONParser struct{}

// Parse merges the object in line into doc.
func (JSONParser) Parse(line []byte, doc *ecs.Document, env *Env) error {
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
	} else {
		tsErr = jsonOtherTime(doc, env)
	}
	// A message that is not a string is dropped: the record's text, which the processor
	// then uses as the message, still holds it.
	if v, isString, ok := doc.Take("message"); ok && isString {
		doc.SetMessage(v)
	} else {
		jsonOtherMessage(doc)
	}
	jsonLevel(doc)
	return tsErr
}

// jsonOtherTime takes the event's time from the first time key present.
func jsonOtherTime(doc *ecs.Document, env *Env) error {
	for key := range strings.SplitSeq(timeKeys, " ") {
		v, isString, ok := doc.Take(key)
		if !ok {
			continue
		}
		if ns, ok := timestamp.Parse(v, env.Loc(), env.Received); ok {
			doc.SetTimestamp(ns)
			return nil
		}
		jsonRestore(doc, key, v, isString)
		if !isString && string(v) == "null" {
			return nil
		}
		return badTimestamp("json: %s %s is not a time", key, quote(v))
	}
	return nil
}

// jsonOtherMessage takes the message from the first of msg and log that is a string; a log
// line's end of line goes, as container runtimes leave it.
func jsonOtherMessage(doc *ecs.Document) {
	for _, key := range [...]string{"msg", "log"} {
		v, isString, ok := doc.Take(key)
		if !ok {
			continue
		}
		if isString {
			if key == "log" {
				v = bytes.TrimRight(v, "\r\n")
			}
			doc.SetMessage(v)
			return
		}
		jsonRestore(doc, key, v, isString)
	}
}

// jsonLevel sets log.level from the first level key present, unless it is set already.
func jsonLevel(doc *ecs.Document) {
	if v, isString, ok := doc.Take("log.level"); ok {
		jsonRestore(doc, "log.level", v, isString)
		return
	}
	for key := range strings.SplitSeq(levelKeys, " ") {
		v, isString, ok := doc.Take(key)
		if !ok {
			continue
		}
		switch name := pinoLevel(v); {
		case isString && len(v) > 0:
			doc.SetBytes("log.level", lowerInArena(doc, v))
		case !isString && name != "":
			doc.SetString("log.level", name)
		default:
			jsonRestore(doc, key, v, isString)
		}
		return
	}
}

// pinoLevel names the numeric levels of pino and bunyan.
func pinoLevel(v []byte) string {
	switch string(v) {
	case "10":
		return "trace"
	case "20":
		return "debug"
	case "30":
		return "info"
	case "40":
		return "warn"
	case "50":
		return "error"
	case "60":
		return "fatal"
	}
	return ""
}

// jsonRestore puts back a value that Take removed.
func jsonRestore(doc *ecs.Document, path string, v []byte, isString bool) {
	if isString {
		doc.SetBytes(path, v)
		return
	}
	doc.SetRaw(path, string(v))
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

// lowerInArena returns v in lower case, copied into d's arena only when it changes.
func lowerInArena(d *ecs.Document, v []byte) []byte {
	i := 0
	for i < len(v) && (v[i] < 'A' || v[i] > 'Z') {
		i++
	}
	if i == len(v) {
		return v
	}
	return d.Append(func(dst []byte) []byte {
		for _, c := range v {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		return dst
	})
}
