package search

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
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
	case !json.Valid(d.Source):
		return fmt.Errorf("doc %s: source is not JSON: %w", d.ID, ErrInvalidDoc)
	case !bytes.HasPrefix(bytes.TrimLeft(d.Source, " \t\r\n"), []byte("{")):
		return fmt.Errorf("doc %s: source is not a JSON object: %w", d.ID, ErrInvalidDoc)
	}
	return nil
}
