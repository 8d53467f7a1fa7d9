package hec

import (
	"bytes"

	"github.com/trolly-logs/trolly/ingest"
)

// DecodeRaw decodes the body of /services/collector/raw: text, one record per line (LF or
// CRLF; blank lines skipped), as Splunk's default line breaking does. Joining lines into
// multiline events is the stream's business (processor/multiline). Every record has the
// request's host and source as fields (one map, shared: treat it as read-only) and its
// index and sourcetype as hint. Records alias body.
func DecodeRaw(body []byte, p Params, lim Limits) (*Request, error) {
	d := decoder{p: p}
	fields := d.defaultFields()
	hint := Hint{Index: p.Index, Sourcetype: p.Sourcetype}
	req := &Request{Channel: p.Channel}
	for n := 1; len(body) > 0; n++ {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if over(len(line), lim.MaxLineBytes) {
			return req, rawError(ingest.TooLarge, n, "%d bytes, over the limit of %d bytes per line", len(line), lim.MaxLineBytes)
		}
		if over(len(req.Records)+1, lim.MaxRecords) {
			return req, rawError(ingest.TooLarge, n, "over the limit of %d records per request", lim.MaxRecords)
		}
		req.Records = append(req.Records, ingest.Record{Data: line, Fields: fields})
		req.Hints = append(req.Hints, hint)
	}
	if len(req.Records) == 0 {
		return req, noData()
	}
	return req, nil
}

func rawError(kind ingest.Kind, line int, format string, args ...any) *Error {
	return &Error{Code: InvalidDataFormat, Event: -1, Err: ingest.Errorf(kind, line, format, args...)}
}
