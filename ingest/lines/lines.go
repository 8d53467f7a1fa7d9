// Package lines decodes the native ingest bodies: text with one record per line
// (text/plain, LF or CRLF) and newline-delimited JSON objects (application/x-ndjson).
package lines

import (
	"bytes"
	"encoding/json"

	"github.com/trolly-logs/trolly/ingest"
)

// Text splits body into records, one per line. A trailing CR is removed, blank lines are
// skipped, and a last line without LF is kept. The records share body's memory.
func Text(body []byte, maxLine int) ([]ingest.Record, error) {
	return split(body, maxLine, false)
}

// NDJSON splits body into records that must each be one JSON object. The records share
// body's memory.
func NDJSON(body []byte, maxLine int) ([]ingest.Record, error) {
	return split(body, maxLine, true)
}

func split(body []byte, maxLine int, isJSON bool) ([]ingest.Record, error) {
	recs := make([]ingest.Record, 0, bytes.Count(body, []byte{'\n'})+1)
	for n := 1; len(body) > 0; n++ {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) > maxLine {
			return nil, ingest.Errorf(ingest.TooLarge, n, "%d bytes, over the limit of %d bytes per line", len(line), maxLine)
		}
		if isBlank(line) {
			continue
		}
		if isJSON {
			if err := checkObject(line); err != nil {
				return nil, ingest.Errorf(ingest.Invalid, n, "%v", err)
			}
		}
		recs = append(recs, ingest.Record{Data: line, JSON: isJSON})
	}
	return recs, nil
}

func isBlank(line []byte) bool {
	return len(bytes.TrimSpace(line)) == 0
}

type notObjectError struct{}

func (notObjectError) Error() string { return "not a JSON object" }

func checkObject(line []byte) error {
	if t := bytes.TrimLeft(line, " \t"); len(t) == 0 || t[0] != '{' {
		return notObjectError{}
	}
	if !json.Valid(line) {
		// Unmarshal into nothing to get a message that says where the syntax breaks.
		var v struct{}
		if err := json.Unmarshal(line, &v); err != nil {
			return err
		}
		return notObjectError{}
	}
	return nil
}
