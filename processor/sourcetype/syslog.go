package sourcetype

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/trolly-logs/trolly/internal/syslog"
	"github.com/trolly-logs/trolly/processor/ecs"
)

// Names of the syslog source types.
const (
	Syslog = "syslog"
	SSHD   = "sshd"
)

// SyslogParser is the "syslog" source type: RFC 5424 and RFC 3164 lines, from the network
// (with a priority) or from files (without). The header maps to ECS log.syslog.*,
// host.hostname, process.name and process.pid, the severity to log.level, RFC 5424
// structured data to log.syslog.structured_data.<SD-ID>.<name>, and MSG becomes the message.
type SyslogParser struct{}

// Parse sets the fields of the syslog header.
func (SyslogParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	var m syslog.Message
	if err := parseSyslog(line, &m, d, env); err != nil {
		return err
	}
	d.SetString("event.kind", "event")
	return syslogTime(d, &m)
}

// parseSyslog parses line and sets the fields of its header; the time is left to
// syslogTime, so that callers can add their fields before a timestamp failure returns.
func parseSyslog(line []byte, m *syslog.Message, d *ecs.Document, env *Env) error {
	err := syslog.Parse(line, m, env.Loc(), env.Received)
	if errors.Is(err, syslog.ErrMalformed) {
		return noMatch(err, "%v", err)
	}
	setSyslogHeader(d, m)
	if len(m.Elements) > 0 {
		setStructuredData(d, m.Elements)
	}
	if len(m.Message) > 0 {
		d.SetMessage(m.Message)
	}
	return nil
}

// syslogTime sets the event's time from the header, or says why it cannot.
func syslogTime(d *ecs.Document, m *syslog.Message) error {
	if m.HasTimestamp {
		d.SetTimestamp(m.Timestamp)
		return nil
	}
	if len(m.TimestampText) > 0 {
		return badTimestamp("syslog: time %s is not a valid date and time", quote(m.TimestampText))
	}
	return nil
}

func setSyslogHeader(d *ecs.Document, m *syslog.Message) {
	if m.Priority >= 0 {
		d.SetInt("log.syslog.priority", int64(m.Priority))
		d.SetInt("log.syslog.facility.code", int64(m.Facility()))
		d.SetString("log.syslog.facility.name", syslog.FacilityName(m.Facility()))
		d.SetInt("log.syslog.severity.code", int64(m.Severity()))
		d.SetString("log.syslog.severity.name", syslog.SeverityName(m.Severity()))
		d.SetString("log.level", syslog.LevelName(m.Severity()))
	}
	if m.Version > 0 { // ECS has it as a keyword
		v := "1"
		if m.Version != 1 {
			v = strconv.Itoa(m.Version)
		}
		d.SetString("log.syslog.version", v)
	}
	if m.Hostname != nil {
		d.SetBytes("log.syslog.hostname", m.Hostname)
		d.SetBytes("host.hostname", m.Hostname)
	}
	if m.AppName != nil {
		d.SetBytes("log.syslog.appname", m.AppName)
		d.SetBytes("process.name", processName(m.AppName))
	}
	if m.ProcID != nil {
		d.SetBytes("log.syslog.procid", m.ProcID)
		if pid, ok := atoi(m.ProcID); ok {
			d.SetInt("process.pid", pid)
		}
	}
	if m.MsgID != nil {
		d.SetBytes("log.syslog.msgid", m.MsgID)
	}
}

// processName drops the PAM module old Linux tags add, "sshd(pam_unix)" being sshd.
func processName(app []byte) []byte {
	if i := bytes.IndexByte(app, '('); i > 0 && app[len(app)-1] == ')' {
		return app[:i]
	}
	return app
}

// setStructuredData writes the elements as one JSON object and merges it, so that the paths
// (SD-IDs and names are the sender's) are interned by the document rather than allocated
// per line. A repeated name keeps its values as an array.
func setStructuredData(d *ecs.Document, els []syslog.Element) {
	js := d.Append(func(dst []byte) []byte {
		dst = append(dst, `{"log.syslog.structured_data":{`...)
		for i, e := range els {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendSDString(dst, e.ID, false)
			dst = append(dst, ":{"...)
			for j, p := range e.Params {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendSDString(dst, p.Name, false)
				dst = append(dst, ':')
				dst = appendSDString(dst, p.Value, true)
			}
			dst = append(dst, '}')
		}
		return append(dst, "}}"...)
	})
	// The object is valid JSON by construction; should the document still refuse it, the
	// structured data stays in the line.
	_ = d.MergeJSON(js)
}

// appendSDString writes v as a JSON string, invalid UTF-8 replaced. With sdEscapes, the
// escapes of SD-PARAM values (\", \\ and \]) are resolved first.
func appendSDString(dst, v []byte, sdEscapes bool) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(v); {
		c := v[i]
		if c == '\\' && sdEscapes && i+1 < len(v) && (v[i+1] == '"' || v[i+1] == '\\' || v[i+1] == ']') {
			i++
			c = v[i]
		}
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		case c < utf8.RuneSelf:
			dst = append(dst, c)
		default:
			r, size := utf8.DecodeRune(v[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, "\ufffd"...)
			} else {
				dst = append(dst, v[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(dst, '"')
}
