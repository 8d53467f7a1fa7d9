package search

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/valyala/fastjson"
)

// ErrInvalidDoc is wrapped by the errors of Doc.Validate. A backend's Write returns it,
// having written nothing, when a doc is invalid; the indexer drops such docs before Write.
var ErrInvalidDoc = errors.New("invalid document")

// Timestamps are stored as int64 nanoseconds since 1970, which covers 1678 to 2262.
var (
	minTimestamp = time.Unix(0, -1<<63).UTC()
	maxTimestamp = time.Unix(0, 1<<63-1).UTC()
)

// Validate reports whether d can be indexed: an ID, a timestamp representable in
// nanoseconds, and a Source that is a JSON object.
func (d Doc) Validate() error {
	switch {
	case d.ID == "":
		return fmt.Errorf("doc without id: %w", ErrInvalidDoc)
	case d.Timestamp.Before(minTimestamp) || d.Timestamp.After(maxTimestamp):
		return fmt.Errorf("doc %s: timestamp %s out of range: %w", d.ID, d.Timestamp, ErrInvalidDoc)
	case !validJSON(d.Source):
		return fmt.Errorf("doc %s: source is not JSON: %w", d.ID, ErrInvalidDoc)
	case !bytes.HasPrefix(bytes.TrimLeft(d.Source, " \t\r\n"), []byte("{")):
		return fmt.Errorf("doc %s: source is not a JSON object: %w", d.ID, ErrInvalidDoc)
	}
	return nil
}

// deepJSON is the length from which a document may nest deeper than encoding/json allows
// (10,000 levels), which fastjson does not bound.
const deepJSON = 20_000

// validJSON is json.Valid, faster for the documents the processor makes: fastjson's
// validator is about three times as fast and accepts the same documents
// (FuzzValidJSON), but for control bytes inside strings, which it misses before an
// escape, and for its unbounded nesting. A document with a control byte anywhere, which
// compact JSON holds only inside strings, or a long one, is left to encoding/json.
func validJSON(b []byte) bool {
	if len(b) >= deepJSON || hasControl(b) {
		return json.Valid(b)
	}
	return fastjson.ValidateBytes(b) == nil
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}
