package syslog

import "errors"

var (
	// ErrMalformed is wrapped by Parse errors for input that is not a syslog message.
	ErrMalformed = errors.New("not a syslog message")
	// ErrTimestamp is wrapped by the Parse error for a message whose time is written but
	// cannot be read; every other field is parsed.
	ErrTimestamp = errors.New("unreadable syslog timestamp")
)

// parseError says what is wrong and wraps the sentinel a caller branches on. Parse returns
// the fixed values below, so that rejecting a line does not allocate.
type parseError struct {
	kind error
	msg  string
}

func (e *parseError) Error() string { return "syslog: " + e.msg }
func (e *parseError) Unwrap() error { return e.kind }

var (
	errEmpty     = &parseError{ErrMalformed, "empty message"}
	errPriority  = &parseError{ErrMalformed, "priority is not <0> to <191>"}
	errNoHeader  = &parseError{ErrMalformed, "neither a <priority> nor a timestamp begins the message"}
	errHeader    = &parseError{ErrMalformed, "RFC 5424 header ends before its structured data"}
	errTimestamp = &parseError{ErrTimestamp, "the timestamp is not a valid time"}
)
