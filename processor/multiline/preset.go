package multiline

import "bytes"

// state is where the stack_traces preset is within a trace: Python and Go traces have
// lines (blank ones, unindented frames) that continue an event only inside the trace.
type state uint8

const (
	plain   state = iota
	pyTrace       // in a Python traceback, before its exception line
	pyEnd         // after that line, where a chained traceback may follow
	goPanic       // after a Go "panic:" or "fatal error:" line
	goStack       // in a goroutine's stack
)

var (
	pyTraceback  = []byte("Traceback (most recent call last):")
	pyDuring     = []byte("During handling of the above exception, another exception occurred:")
	pyDirect     = []byte("The above exception was the direct cause of the following exception:")
	goPanicLine  = []byte("panic: ")
	goFatalLine  = []byte("fatal error: ")
	goSignal     = []byte("[signal ")
	goRuntime    = []byte("runtime stack:")
	goCreatedBy  = []byte("created by ")
	goGoroutine  = []byte("goroutine ")
	javaAt       = []byte("at ")
	javaCausedBy = []byte("Caused by:")
	ellipsis     = []byte("...")
)

// stackTrace is the stack_traces preset: whether line continues the event before it, by
// byte checks only, and the state after it.
func stackTrace(s state, line []byte) (bool, state) {
	if len(line) == 0 {
		return s != plain, s // blank lines separate parts of Python and Go traces
	}
	switch line[0] {
	case ' ', '\t':
		return true, s
	case 'a':
		if bytes.HasPrefix(line, javaAt) {
			return true, s
		}
	case 'C':
		if bytes.HasPrefix(line, javaCausedBy) {
			return true, s
		}
	case '.':
		if bytes.HasPrefix(line, ellipsis) {
			return true, s
		}
	case 'T':
		if bytes.HasPrefix(line, pyTraceback) {
			return true, pyTrace
		}
	case 'p':
		if bytes.HasPrefix(line, goPanicLine) {
			return false, goPanic
		}
	case 'f':
		if bytes.HasPrefix(line, goFatalLine) {
			return false, goPanic
		}
	case 'g':
		if isGoroutine(line) {
			return true, goStack
		}
	}
	return stackTraceIn(s, line)
}

// stackTraceIn handles the lines whose meaning depends on the trace they are in.
func stackTraceIn(s state, line []byte) (bool, state) {
	switch s {
	case pyTrace:
		if isPyException(line) {
			return true, pyEnd
		}
	case pyEnd:
		if bytes.Equal(line, pyDuring) || bytes.Equal(line, pyDirect) {
			return true, pyEnd
		}
	case goPanic, goStack:
		switch {
		case bytes.HasPrefix(line, goSignal):
			return true, s
		case bytes.HasPrefix(line, goRuntime):
			return true, goStack
		case s == goStack && isGoFrame(line):
			return true, goStack
		}
	}
	return isJavaException(line), plain
}

// isGoroutine reports a Go stack's header, "goroutine 1 [running]:".
func isGoroutine(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, goGoroutine)
	return ok && len(rest) > 0 && isDigit(rest[0]) && bytes.HasSuffix(rest, []byte("]:"))
}

// isGoFrame reports a Go frame's function line, "main.f(0x1, {0x2, 0x3})" or "created by
// main.main in goroutine 1"; its file line is indented.
func isGoFrame(line []byte) bool {
	if bytes.HasPrefix(line, goCreatedBy) {
		return true
	}
	paren := bytes.IndexByte(line, '(')
	return paren > 0 && line[len(line)-1] == ')' && bytes.IndexByte(line[:paren], ' ') < 0
}

// isPyException reports the line that ends a Python traceback: a dotted name, then ':' or
// the end ("ValueError: bad", "requests.exceptions.ConnectionError: ...",
// "KeyboardInterrupt").
func isPyException(line []byte) bool {
	n := nameLen(line)
	return n > 0 && (n == len(line) || line[n] == ':')
}

// isJavaException reports an exception header, "java.io.IOException: disk full": a dotted
// name ending in Exception, Error or Throwable, then ':' or the end.
func isJavaException(line []byte) bool {
	n := nameLen(line)
	if n == 0 || (n < len(line) && line[n] != ':') {
		return false
	}
	name := line[:n]
	if bytes.IndexByte(name, '.') < 0 {
		return false
	}
	return bytes.HasSuffix(name, []byte("Exception")) || bytes.HasSuffix(name, []byte("Error")) ||
		bytes.HasSuffix(name, []byte("Throwable"))
}

// nameLen is the length of the dotted identifier line starts with: a letter or '_', then
// letters, digits, '_', '$' and '.'.
func nameLen(line []byte) int {
	if len(line) == 0 || !isLetter(line[0]) {
		return 0
	}
	n := 1
	for n < len(line) && (isLetter(line[n]) || isDigit(line[n]) || line[n] == '.' || line[n] == '$') {
		n++
	}
	return n
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
