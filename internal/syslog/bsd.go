package syslog

import (
	"bytes"
	"time"

	"github.com/trolly-logs/trolly/processor/timestamp"
)

// parse3164 reads what follows the priority of an RFC 3164 message: TIMESTAMP HOSTNAME
// TAG: MSG, as real senders write it. The timestamp is "Jan _2 15:04:05" (a fraction or a
// year after the day allowed) or RFC 3339 (rsyslog's precise format); without a priority
// it must be there, with one it may be missing, and then so is the hostname. A first word
// that is a tag ("app:", "app[12]:") is taken for the tag, not the hostname, since many
// senders leave the hostname out.
func parse3164(b []byte, m *Message, loc *time.Location, ref int64) error {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	var err error
	n, isTime := 0, false
	if isDate(b) || isMonth(b) {
		// One scan reads the time and says where it ends; a time of the right shape that
		// does not read is skipped as its words say, and reported.
		m.Timestamp, n, m.HasTimestamp = timestamp.Auto.ParsePrefix(b, loc, ref)
		isTime = m.HasTimestamp && (n == len(b) || b[n] == ' ')
		if !isTime {
			m.Timestamp, m.HasTimestamp = 0, false
			if n, isTime = timeLength(b); isTime {
				err = errTimestamp
			}
		}
	}
	if !isTime {
		if m.Priority < 0 {
			return errNoHeader
		}
		m.tagAndMessage(b)
		return nil
	}
	m.TimestampText = b[:n]
	b = b[n:]
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	if _, _, _, ok := tag(b); !ok {
		host, rest, _ := token(b)
		if host == nil {
			host, rest = b, nil
		}
		if len(host) > 0 {
			m.Hostname = host
		}
		b = rest
	}
	m.tagAndMessage(b)
	return err
}

// timeLength returns the length of the timestamp that starts b, by its shape alone: an
// RFC 3339 word, or a month name, the day, an optional year and the clock. b starts with a
// date or a month (isDate or isMonth).
func timeLength(b []byte) (int, bool) {
	if isDate(b) {
		return wordEnd(b, 0), true
	}
	day := wordEnd(b, 3)
	third := wordEnd(b, day)
	if third == day {
		return 0, false
	}
	if w := bytes.TrimLeft(b[day:third], " "); len(w) == 4 && isDigit(w[0]) && isDigit(w[3]) {
		clock := bytes.TrimLeft(b[third:wordEnd(b, third)], " ")
		if len(clock) > 2 && isDigit(clock[0]) && bytes.IndexByte(clock[:3], ':') > 0 {
			return wordEnd(b, third), true
		}
	}
	return third, true
}

// wordEnd skips the spaces at i and then the word after them.
func wordEnd(b []byte, i int) int {
	for i < len(b) && b[i] == ' ' {
		i++
	}
	for i < len(b) && b[i] != ' ' {
		i++
	}
	return i
}

// isMonth reports whether b starts with a month name and a space.
func isMonth(b []byte) bool { return len(b) >= 4 && b[3] == ' ' && timestamp.Month(b) != 0 }

// tagAndMessage reads an optional TAG and the MSG.
func (m *Message) tagAndMessage(b []byte) {
	if app, pid, rest, ok := tag(b); ok {
		m.AppName, m.ProcID, b = app, pid, rest
	}
	m.message(b)
}

// tag reads "app:", "app[pid]:" or "app[pid]" before a space: app is printable ASCII up to
// '[', ':' or a space (so "sshd(pam_unix)" is one), pid anything but a space or ']'. A
// word without the colon or the brackets is not a tag but the start of the message.
func tag(b []byte) (app, pid, rest []byte, ok bool) {
	i := 0
	for i < len(b) && b[i] > ' ' && b[i] <= '~' && b[i] != ':' && b[i] != '[' {
		i++
	}
	if i == 0 || i == len(b) {
		return nil, nil, nil, false
	}
	app = b[:i]
	if b[i] == '[' {
		j := i + 1
		for j < len(b) && b[j] != ']' && b[j] != ' ' {
			j++
		}
		if j == len(b) || b[j] != ']' || j == i+1 {
			return nil, nil, nil, false
		}
		pid, i = b[i+1:j], j+1
		if i == len(b) || b[i] == ' ' {
			return app, pid, skipSpace(b[i:]), true
		}
	}
	if b[i] != ':' {
		return nil, nil, nil, false
	}
	return app, pid, skipSpace(b[i+1:]), true
}

func skipSpace(b []byte) []byte {
	if len(b) > 0 && b[0] == ' ' {
		return b[1:]
	}
	return b
}
