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
	n, isTime := timeLength(b)
	if !isTime {
		if m.Priority < 0 {
			return errNoHeader
		}
		m.tagAndMessage(b)
		return nil
	}
	var err error
	m.TimestampText = b[:n]
	if m.Timestamp, m.HasTimestamp = timestamp.Auto.Parse(b[:n], loc, ref); !m.HasTimestamp {
		err = errTimestamp
	}
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

// timeLength returns the length of the timestamp that starts b, by its shape: an RFC 3339
// word, or a month name, the day, an optional year and the clock. The time itself may
// still be invalid.
func timeLength(b []byte) (int, bool) {
	if isDate(b) {
		return wordEnd(b, 0), true
	}
	if !isMonth(b) {
		return 0, false
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

func isMonth(b []byte) bool {
	if len(b) < 4 || b[3] != ' ' {
		return false
	}
	switch uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) {
	case 'J'<<16 | 'a'<<8 | 'n', 'F'<<16 | 'e'<<8 | 'b', 'M'<<16 | 'a'<<8 | 'r', 'A'<<16 | 'p'<<8 | 'r',
		'M'<<16 | 'a'<<8 | 'y', 'J'<<16 | 'u'<<8 | 'n', 'J'<<16 | 'u'<<8 | 'l', 'A'<<16 | 'u'<<8 | 'g',
		'S'<<16 | 'e'<<8 | 'p', 'O'<<16 | 'c'<<8 | 't', 'N'<<16 | 'o'<<8 | 'v', 'D'<<16 | 'e'<<8 | 'c':
		return true
	}
	return false
}

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
