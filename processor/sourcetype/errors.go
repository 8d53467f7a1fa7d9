package sourcetype

import "fmt"

// parseError carries a message for error.message and the sentinel the processor branches on.
type parseError struct {
	kind  error // ErrNoMatch or ErrTimestamp
	msg   string
	cause error
}

func (e *parseError) Error() string { return e.msg }

func (e *parseError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func noMatch(cause error, format string, args ...any) error {
	return &parseError{kind: ErrNoMatch, msg: fmt.Sprintf(format, args...), cause: cause}
}

func badTimestamp(format string, args ...any) error {
	return &parseError{kind: ErrTimestamp, msg: fmt.Sprintf(format, args...)}
}

// quote shortens v for an error message.
func quote(v []byte) string {
	const max = 64
	if len(v) > max {
		return fmt.Sprintf("%q...", v[:max])
	}
	return fmt.Sprintf("%q", v)
}
