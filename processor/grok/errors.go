package grok

import (
	"errors"
	"fmt"
)

// CompileError is why a pattern or a definition is refused, and where.
type CompileError struct {
	// Pattern is the index of the pattern the error was found in, in CompileAll's list (0
	// for Compile); -1 when it was found checking the definitions on their own.
	Pattern int
	// Definition names the per-stream definition the error is in; empty when it is in the
	// pattern itself.
	Definition string
	// Offset is the byte offset of the error in the pattern, or in the definition when
	// Definition is set: 0 <= Offset <= len(text).
	Offset int
	Msg    string
}

func (e *CompileError) Error() string {
	if e.Definition != "" {
		return fmt.Sprintf("definition %s, offset %d: %s", e.Definition, e.Offset, e.Msg)
	}
	return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg)
}

var (
	// ErrConversion is wrapped by the error of Match when the line matched but a capture could
	// not be converted to its type. That field is left out; the others are set.
	ErrConversion = errors.New("capture not convertible to its type")
	// ErrTimestamp is wrapped as well when the capture that failed is @timestamp.
	ErrTimestamp = errors.New("unusable timestamp")
)

// ConversionError is one capture that could not be converted. Match returns one, or several
// joined with errors.Join.
type ConversionError struct {
	Field string // the ECS path
	Type  string // as written, such as "int" or "timestamp(rfc3164)"
	Value string // the captured text, shortened to 64 bytes
}

func (e *ConversionError) Error() string {
	return fmt.Sprintf("field %s: %q is not a valid %s", e.Field, e.Value, e.Type)
}

// Unwrap returns ErrConversion, and ErrTimestamp for @timestamp.
func (e *ConversionError) Unwrap() []error {
	if e.Field == fieldTimestamp {
		return []error{ErrConversion, ErrTimestamp}
	}
	return []error{ErrConversion}
}

// newConversionError copies v, which belongs to the line, so the error outlives it.
func newConversionError(c *capture, v []byte) *ConversionError {
	const maxValue = 64
	s := string(v)
	if len(v) > maxValue {
		s = string(v[:maxValue]) + "..."
	}
	return &ConversionError{Field: c.path, Type: c.typeName, Value: s}
}
