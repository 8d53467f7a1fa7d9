package hec

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"github.com/trolly-logs/trolly/ingest"
)

// Limits bound one request. A limit of zero or less is no limit.
type Limits struct {
	// MaxLineBytes bounds each record's Data: an event's text (unescaped) or object, or a
	// raw line. HEC has no per-event results, so a larger record refuses the request.
	MaxLineBytes int
	// MaxRecords bounds the records of one request.
	MaxRecords int
}

// Params are the request's defaults, from its query (?channel=, ?host=, ?source=,
// ?sourcetype=, ?index=) and the X-Splunk-Request-Channel header.
type Params struct {
	// Channel identifies the client's data channel. Trolly keeps no per-channel state (it has
	// no indexer acknowledgement), so it is passed on for logs only.
	Channel    string
	Host       string
	Source     string
	Sourcetype string
	Index      string
}

// ParseParams reads the defaults of a request; the header's channel wins over the query's.
func ParseParams(h http.Header, q url.Values) Params {
	p := Params{
		Channel:    h.Get("X-Splunk-Request-Channel"),
		Host:       q.Get("host"),
		Source:     q.Get("source"),
		Sourcetype: q.Get("sourcetype"),
		Index:      q.Get("index"),
	}
	if p.Channel == "" {
		p.Channel = q.Get("channel")
	}
	return p
}

// Hint is what a record says about where it belongs: its Splunk index and sourcetype, from
// the event or the request's defaults ("" when neither says). The gateway maps it to one of
// the tenant's streams.
type Hint struct {
	Index      string
	Sourcetype string
}

// Request is a decoded request.
type Request struct {
	Records []ingest.Record
	// Hints[i] is the routing hint of Records[i].
	Hints   []Hint
	Channel string
}

// Error is a request HEC refuses: its code, the 0-based number of the event at fault (-1
// when none is), and the *ingest.Error it unwraps to, whose message names the event, its
// byte offset and the line it starts on.
type Error struct {
	Code  Code
	Event int
	Err   *ingest.Error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the *ingest.Error, so the gateway's one mapping of ingest errors applies.
func (e *Error) Unwrap() error { return e.Err }

// eventError is an *Error about event n of body, found at byte off.
func eventError(code Code, kind ingest.Kind, body []byte, n, off int, format string, args ...any) *Error {
	off = min(max(off, 0), len(body))
	line := bytes.Count(body[:off], []byte{'\n'}) + 1
	msg := fmt.Sprintf("event %d (byte %d): %s", n, off, fmt.Sprintf(format, args...))
	return &Error{Code: code, Event: n, Err: ingest.Errorf(kind, line, "%s", msg)}
}

// noData is the error of a body without any record.
func noData() *Error {
	return &Error{Code: NoData, Event: -1, Err: ingest.Errorf(ingest.Invalid, 0, "the body holds no data")}
}

// over reports whether n exceeds limit, a limit <= 0 being none.
func over(n, limit int) bool { return limit > 0 && n > limit }
