package ingest

import "fmt"

// Record is one log record as decoded from the wire.
type Record struct {
	// Data is the record's bytes; decoders may return slices of the request body.
	Data []byte
	// JSON is set when Data is a JSON object rather than a line of text.
	JSON bool
	// Fields are values the protocol carried beside the record, keyed by ECS field path.
	Fields map[string]string
}

// Kind classifies bad input.
type Kind int

// Kinds of bad input.
const (
	// Invalid input cannot be decoded (HTTP 400).
	Invalid Kind = iota + 1
	// TooLarge input exceeds a limit (HTTP 413).
	TooLarge
)

// Error is bad input, with the 1-based line it was found on when there is one.
type Error struct {
	Kind Kind
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Errorf returns an *Error of kind at line (0 for none).
func Errorf(kind Kind, line int, format string, args ...any) *Error {
	return &Error{Kind: kind, Line: line, Msg: fmt.Sprintf(format, args...)}
}
