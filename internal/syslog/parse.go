package syslog

import (
	"bytes"
	"time"

	"github.com/trolly-logs/trolly/processor/timestamp"
)

// Parse parses line into m, which it resets first; m's slices then point into line. Trailing
// CR, LF and NUL bytes and leading spaces are ignored. A message starts with a <priority>
// (network syslog) or directly with its timestamp (syslog files). "<pri>1 " starts RFC
// 5424; anything else is read as RFC 3164, whose timestamp has no year and no zone: loc is
// the sender's zone (nil means UTC) and ref, the receive time in Unix nanoseconds, decides
// the year.
//
// The error wraps ErrMalformed when line is not syslog, and ErrTimestamp when only the
// time is unreadable; m then holds every other field.
func Parse(line []byte, m *Message, loc *time.Location, ref int64) error {
	m.reset()
	line = trim(line)
	if len(line) == 0 {
		return errEmpty
	}
	rest := line
	if line[0] == '<' {
		pri, n, ok := priority(line)
		if !ok {
			return errPriority
		}
		m.Priority, rest = pri, line[n:]
	}
	// Without a priority only a date after the version makes RFC 5424: "1 " may begin
	// any text.
	if v, n, ok := version(rest); ok && (m.Priority >= 0 || isDate(rest[n:])) {
		m.Version = v
		return parse5424(rest[n:], m, loc, ref)
	}
	return parse3164(rest, m, loc, ref)
}

// trim drops the line ends and NULs some senders leave, and leading spaces.
func trim(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b
}

// priority reads "<n>" with 1 to 3 digits and n at most 191.
func priority(b []byte) (pri, n int, ok bool) {
	for n = 1; n < len(b) && n <= 4 && isDigit(b[n]); n++ {
		pri = pri*10 + int(b[n]-'0')
	}
	if n == 1 || n > 4 || n >= len(b) || b[n] != '>' || pri > 191 {
		return 0, 0, false
	}
	return pri, n + 1, true
}

// version reads the RFC 5424 VERSION and its space: 1 to 3 digits, the first not 0.
func version(b []byte) (v, n int, ok bool) {
	for n < len(b) && n < 4 && isDigit(b[n]) {
		v = v*10 + int(b[n]-'0')
		n++
	}
	if n == 0 || n > 3 || b[0] == '0' || n >= len(b) || b[n] != ' ' {
		return 0, 0, false
	}
	return v, n + 1, true
}

// parse5424 reads TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG] after
// the version. Runs of spaces count as one, which strict senders never write.
func parse5424(b []byte, m *Message, loc *time.Location, ref int64) error {
	var ts []byte
	var ok bool
	fields := [...]*[]byte{&ts, &m.Hostname, &m.AppName, &m.ProcID, &m.MsgID}
	for i, f := range fields {
		if *f, b, ok = token(b); !ok {
			if i < len(fields)-1 || len(b) == 0 {
				return errHeader
			}
			*f, b = b, nil // a message ending after MSGID, without structured data
		}
		if len(*f) == 1 && (*f)[0] == '-' {
			*f = nil
		}
	}
	m.structuredData(b)
	if ts == nil {
		return nil
	}
	m.TimestampText = ts
	if m.Timestamp, m.HasTimestamp = timestamp.RFC3339.Parse(ts, loc, ref); !m.HasTimestamp {
		return errTimestamp
	}
	return nil
}

// token returns the text up to the next space and what follows the spaces after it; ok is
// false when b has no space left.
func token(b []byte) (tok, rest []byte, ok bool) {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	i := bytes.IndexByte(b, ' ')
	if i <= 0 {
		return nil, b, false
	}
	tok, rest = b[:i], b[i+1:]
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return tok, rest, true
}

// message sets the MSG, without the byte order mark RFC 5424 puts before UTF-8 text.
func (m *Message) message(b []byte) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if len(b) > 0 {
		m.Message = b
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isDate reports whether b starts like "2006-01-02".
func isDate(b []byte) bool {
	return len(b) >= 10 && isDigit(b[0]) && isDigit(b[3]) && b[4] == '-' && b[7] == '-'
}
