// Package multiline joins the continuation lines of a stream into one event: stack traces,
// and whatever a stream's own regular expression says belongs to the line before.
//
// A stream's settings hold a rule under "multiline", with exactly one of:
//
//	{"preset": "stack_traces"}     Java, Python and Go traces, by byte checks
//	{"start": "<regexp>"}          a line that matches starts an event; others continue it
//	{"continuation": "<regexp>"}   a line that matches continues the event before it
//
// and optionally "max_lines" (default 500, at most 10000), "max_bytes" (default 64 KiB, at
// most 1 MiB) and "max_wait" (default "2s", at most "1m"); a zero bound is the default.
// Regular expressions are Go RE2, unanchored, matched against the line without its ending.
//
// The stack_traces preset continues the event before with a line that starts with a space
// or a tab, "at ", "Caused by:" or "..." (Java's "... 5 more"), or that is a Java exception
// header such as "java.io.IOException: disk full" (a dotted name ending in Exception, Error
// or Throwable, then ':' or the end), so a logger's message line keeps its exception. A
// Python "Traceback (most recent call last):" continues the line before too, as
// logging.exception writes it; a bare traceback thus joins an unrelated line before it, but
// keeps a first line that has a time. Its indented lines and the final "ValueError: msg" line
// follow, and so do chained tracebacks with their blank lines and "During handling of the
// above exception" lines. A Go "panic: " or "fatal error: " line starts an event that takes
// "[signal ...]", blank lines, "goroutine N [state]:" blocks and their frames; a goroutine
// header also continues whatever comes before it, as in net/http's "http: panic serving"
// log line. Any other line starts an event; so does the first line of a batch.
//
// Bounds: an event holds at most max_lines lines, and at most max_bytes bytes counted as the
// joined event is written, lines without their endings ("\n", "\r\n") and one '\n' between
// them. A line that would take an event past either bound ends it before that line, and the
// line starts the next event (which a trace then continues); a single line longer than
// max_bytes is an event of its own, never cut. max_wait is how long the first line of an
// event may wait in a Joiner for the lines that continue it; Group, which sees a whole
// batch, does not use it.
package multiline
