package syslog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ref is the receive time of the tests.
var ref = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano()

// view is a Message as strings, for comparing.
type view struct {
	Pri, Version          int
	Time                  string // RFC 3339 UTC; "" without one
	TimeText              string
	Host, App, PID, MsgID string
	SD                    string
	Elements              []elem
	Msg                   string
}

type elem struct {
	ID     string
	Params []string // name=value, unescaped
}

func viewOf(m *Message) view {
	v := view{Pri: m.Priority, Version: m.Version, TimeText: string(m.TimestampText),
		Host: string(m.Hostname), App: string(m.AppName), PID: string(m.ProcID),
		MsgID: string(m.MsgID), SD: string(m.StructuredData), Msg: string(m.Message)}
	if m.HasTimestamp {
		v.Time = time.Unix(0, m.Timestamp).UTC().Format(time.RFC3339Nano)
	}
	for _, e := range m.Elements {
		el := elem{ID: string(e.ID)}
		for _, p := range e.Params {
			el.Params = append(el.Params, string(p.Name)+"="+string(p.AppendValue(nil)))
		}
		v.Elements = append(v.Elements, el)
	}
	return v
}

func TestParse5424(t *testing.T) {
	tests := []struct {
		name, in string
		want     view
	}{
		{"rfc example 1", "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf'su root' failed for lonvick on /dev/pts/8",
			view{Pri: 34, Version: 1, Time: "2003-10-11T22:14:15.003Z", TimeText: "2003-10-11T22:14:15.003Z",
				Host: "mymachine.example.com", App: "su", MsgID: "ID47", Msg: "'su root' failed for lonvick on /dev/pts/8"}},
		{"rfc example 2, no time zone name", "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
			view{Pri: 165, Version: 1, Time: "2003-08-24T12:14:15.000003Z", TimeText: "2003-08-24T05:14:15.000003-07:00",
				Host: "192.0.2.1", App: "myproc", PID: "8710", Msg: "%% It's time to make the do-nuts."}},
		{"rfc example 3, structured data", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...`,
			view{Pri: 165, Version: 1, Time: "2003-10-11T22:14:15.003Z", TimeText: "2003-10-11T22:14:15.003Z",
				Host: "mymachine.example.com", App: "evntslog", MsgID: "ID47",
				SD:       `[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]`,
				Elements: []elem{{"exampleSDID@32473", []string{"iut=3", "eventSource=Application", "eventID=1011"}}},
				Msg:      "An application event log entry..."}},
		{"rfc example 4, two elements and no message", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"][examplePriority@32473 class="high"]`,
			view{Pri: 165, Version: 1, Time: "2003-10-11T22:14:15.003Z", TimeText: "2003-10-11T22:14:15.003Z",
				Host: "mymachine.example.com", App: "evntslog", MsgID: "ID47",
				SD:       `[exampleSDID@32473 iut="3"][examplePriority@32473 class="high"]`,
				Elements: []elem{{"exampleSDID@32473", []string{"iut=3"}}, {"examplePriority@32473", []string{"class=high"}}}}},
		{"escapes and an IANA id", `<14>1 2024-01-02T03:04:05Z h a p m [origin ip="192.0.2.1" x="a\"b\\c\]d\e"][meta] msg`,
			view{Pri: 14, Version: 1, Time: "2024-01-02T03:04:05Z", TimeText: "2024-01-02T03:04:05Z", Host: "h", App: "a", PID: "p", MsgID: "m",
				SD:       `[origin ip="192.0.2.1" x="a\"b\\c\]d\e"][meta]`,
				Elements: []elem{{"origin", []string{"ip=192.0.2.1", `x=a"b\c]d\e`}}, {"meta", nil}},
				Msg:      "msg"}},
		{"all nil", "<0>1 - - - - - -", view{Pri: 0, Version: 1}},
		{"nil time", "<14>1 - host app - - - hello", view{Pri: 14, Version: 1, Host: "host", App: "app", Msg: "hello"}},
		{"no structured data at all", "<14>1 2024-01-02T03:04:05Z host app 12 ID", view{Pri: 14, Version: 1,
			Time: "2024-01-02T03:04:05Z", TimeText: "2024-01-02T03:04:05Z", Host: "host", App: "app", PID: "12", MsgID: "ID"}},
		{"message where structured data goes", "<14>1 2024-01-02T03:04:05Z host app 12 ID hello there", view{Pri: 14, Version: 1,
			Time: "2024-01-02T03:04:05Z", TimeText: "2024-01-02T03:04:05Z", Host: "host", App: "app", PID: "12", MsgID: "ID", Msg: "hello there"}},
		{"broken structured data is message", `<14>1 - h a - - [id x="1" hello`, view{Pri: 14, Version: 1,
			Host: "h", App: "a", Msg: `[id x="1" hello`}},
		{"space inside an element is message", `<14>1 - h a - - [ id x="1"] hi`, view{Pri: 14, Version: 1,
			Host: "h", App: "a", Msg: `[ id x="1"] hi`}},
		{"CRLF and BOM", "<14>1 - h a - - - \xef\xbb\xbfhi\r\n", view{Pri: 14, Version: 1, Host: "h", App: "a", Msg: "hi"}},
		{"version 2", "<14>2 - h a - - -", view{Pri: 14, Version: 2, Host: "h", App: "a"}},
		{"no priority in a file", "1 2024-01-02T03:04:05+01:00 h a - - - hi", view{Pri: -1, Version: 1,
			Time: "2024-01-02T02:04:05Z", TimeText: "2024-01-02T03:04:05+01:00", Host: "h", App: "a", Msg: "hi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			require.NoError(t, Parse([]byte(tt.in), &m, time.UTC, ref))
			require.Equal(t, tt.want, viewOf(&m))
		})
	}
}

func TestParse3164(t *testing.T) {
	tests := []struct {
		name, in string
		want     view
	}{
		{"corpus sshd", "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\r",
			view{Pri: -1, Time: "2023-12-10T06:55:46Z", TimeText: "Dec 10 06:55:46", Host: "LabSZ", App: "sshd", PID: "24200",
				Msg: "Invalid user webmaster from 173.234.31.186"}},
		{"tag with a facility in parentheses", "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=218.188.2.4 ",
			view{Pri: -1, Time: "2023-06-14T15:16:01Z", TimeText: "Jun 14 15:16:01", Host: "combo", App: "sshd(pam_unix)", PID: "19939",
				Msg: "authentication failure; rhost=218.188.2.4 "}},
		{"no tag", "Jun 19 04:09:11 combo syslogd 1.4.1: restart.",
			view{Pri: -1, Time: "2023-06-19T04:09:11Z", TimeText: "Jun 19 04:09:11", Host: "combo", Msg: "syslogd 1.4.1: restart."}},
		{"double space before the message", "Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2",
			view{Pri: -1, Time: "2023-07-07T08:06:15Z", TimeText: "Jul  7 08:06:15", Host: "combo", Msg: "-- root[2421]: ROOT LOGIN ON tty2"}},
		{"network with priority", "<13>Feb  5 17:32:18 10.0.0.99 myapp: Use the BFG!",
			view{Pri: 13, Time: "2024-02-05T17:32:18Z", TimeText: "Feb  5 17:32:18", Host: "10.0.0.99", App: "myapp", Msg: "Use the BFG!"}},
		{"missing hostname", "<13>Jan  1 00:00:00 app: msg",
			view{Pri: 13, Time: "2024-01-01T00:00:00Z", TimeText: "Jan  1 00:00:00", App: "app", Msg: "msg"}},
		{"missing hostname, pid tag", "<13>Jan  1 00:00:00 app[7]: msg",
			view{Pri: 13, Time: "2024-01-01T00:00:00Z", TimeText: "Jan  1 00:00:00", App: "app", PID: "7", Msg: "msg"}},
		{"tag without colon", "<13>Jan  1 00:00:00 host app[7] msg",
			view{Pri: 13, Time: "2024-01-01T00:00:00Z", TimeText: "Jan  1 00:00:00", Host: "host", App: "app", PID: "7", Msg: "msg"}},
		{"leading space", " <13>Jan  1 00:00:00 host app: msg",
			view{Pri: 13, Time: "2024-01-01T00:00:00Z", TimeText: "Jan  1 00:00:00", Host: "host", App: "app", Msg: "msg"}},
		{"no timestamp", "<13>app: msg", view{Pri: 13, App: "app", Msg: "msg"}},
		{"no timestamp nor tag", "<13>just text", view{Pri: 13, Msg: "just text"}},
		{"only a priority", "<13>", view{Pri: 13}},
		{"rsyslog precise time", "<30>2024-03-10T01:02:03.123456+01:00 web1 nginx[99]: started",
			view{Pri: 30, Time: "2024-03-10T00:02:03.123456Z", TimeText: "2024-03-10T01:02:03.123456+01:00", Host: "web1", App: "nginx", PID: "99", Msg: "started"}},
		{"year after the day", "<13>Jan  2 2006 15:04:05 host app: msg",
			view{Pri: 13, Time: "2006-01-02T15:04:05Z", TimeText: "Jan  2 2006 15:04:05", Host: "host", App: "app", Msg: "msg"}},
		{"four-digit hostname is no year", "<13>Jan  2 15:04:05 2006 app: msg",
			view{Pri: 13, Time: "2024-01-02T15:04:05Z", TimeText: "Jan  2 15:04:05", Host: "2006", App: "app", Msg: "msg"}},
		{"fraction", "Jan  2 15:04:05.123 host app: msg",
			view{Pri: -1, Time: "2024-01-02T15:04:05.123Z", TimeText: "Jan  2 15:04:05.123", Host: "host", App: "app", Msg: "msg"}},
		{"hostname only", "Jan  2 15:04:05 host", view{Pri: -1, Time: "2024-01-02T15:04:05Z", TimeText: "Jan  2 15:04:05", Host: "host"}},
		{"empty message after the tag", "Jan  2 15:04:05 host app:", view{Pri: -1, Time: "2024-01-02T15:04:05Z", TimeText: "Jan  2 15:04:05", Host: "host", App: "app"}},
		{"LF and NUL", "<13>Jan  2 15:04:05 host app: msg\n\x00", view{Pri: 13, Time: "2024-01-02T15:04:05Z", TimeText: "Jan  2 15:04:05", Host: "host", App: "app", Msg: "msg"}},
		{"5424-looking text after a 3164 priority", "<13>Jan  2 15:04:05 host 1 - x", view{Pri: 13, Time: "2024-01-02T15:04:05Z", TimeText: "Jan  2 15:04:05", Host: "host", Msg: "1 - x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			require.NoError(t, Parse([]byte(tt.in), &m, time.UTC, ref))
			require.Equal(t, tt.want, viewOf(&m))
		})
	}
}

func TestParseZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	var m Message
	require.NoError(t, Parse([]byte("Jul  4 12:00:00 host app: x"), &m, ny, ref))
	require.Equal(t, time.Date(2023, 7, 4, 16, 0, 0, 0, time.UTC).UnixNano(), m.Timestamp)
	require.NoError(t, Parse([]byte("<13>1 2024-01-02T03:04:05Z h a - - -"), &m, ny, ref))
	require.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano(), m.Timestamp, "a written zone wins")
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
		text     string
	}{
		{"empty", "", ErrMalformed, "empty"},
		{"only line end", "\r\n", ErrMalformed, "empty"},
		{"plain text", "hello world", ErrMalformed, "neither a <priority> nor a timestamp"},
		{"empty priority", "<>Jan  1 00:00:00 h a: m", ErrMalformed, "priority"},
		{"priority too big", "<192>Jan  1 00:00:00 h a: m", ErrMalformed, "priority"},
		{"priority too long", "<0013>Jan  1 00:00:00 h a: m", ErrMalformed, "priority"},
		{"priority not closed", "<13", ErrMalformed, "priority"},
		{"5424 header cut", "<13>1 2024-01-02T03:04:05Z host", ErrMalformed, "header"},
		{"5424 bad time", "<13>1 2024-13-02T03:04:05Z host app - - - msg", ErrTimestamp, "timestamp"},
		{"3164 bad date", "Feb 30 03:04:05 host app: msg", ErrTimestamp, "timestamp"},
		{"3164 bad clock", "Feb 10 25:04:05 host app: msg", ErrTimestamp, "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			err := Parse([]byte(tt.in), &m, time.UTC, ref)
			require.ErrorIs(t, err, tt.want)
			require.Contains(t, err.Error(), tt.text)
			require.Contains(t, err.Error(), "syslog: ")
		})
	}
	t.Run("fields kept after a bad time", func(t *testing.T) {
		var m Message
		err := Parse([]byte("Feb 30 03:04:05 host app[1]: msg"), &m, time.UTC, ref)
		require.ErrorIs(t, err, ErrTimestamp)
		require.Equal(t, view{Pri: -1, TimeText: "Feb 30 03:04:05", Host: "host", App: "app", PID: "1", Msg: "msg"}, viewOf(&m))
	})
}

func TestNames(t *testing.T) {
	var m Message
	require.NoError(t, Parse([]byte("<191>Jan  1 00:00:00 h a: m"), &m, nil, ref))
	require.Equal(t, 23, m.Facility())
	require.Equal(t, 7, m.Severity())
	require.Equal(t, "local7", FacilityName(m.Facility()))
	require.Equal(t, "Debug", SeverityName(m.Severity()))
	require.Equal(t, "debug", LevelName(m.Severity()))
	require.NoError(t, Parse([]byte("Jan  1 00:00:00 h a: m"), &m, nil, ref))
	require.Equal(t, -1, m.Facility())
	require.Equal(t, -1, m.Severity())
	for code, want := range map[int]string{0: "kern", 4: "auth", 10: "authpriv", 15: "solaris-cron", 16: "local0", 24: "", -1: ""} {
		require.Equal(t, want, FacilityName(code), code)
	}
	for code, want := range map[int]string{0: "Emergency", 3: "Error", 6: "Informational", 8: "", -1: ""} {
		require.Equal(t, want, SeverityName(code), code)
	}
	require.Equal(t, "", LevelName(8))
}

// TestReuse checks that a Message reused for a shorter message keeps nothing of the last.
func TestReuse(t *testing.T) {
	var m Message
	require.NoError(t, Parse([]byte(`<13>1 - h a p m [x@1 a="1" b="2"][y c="3"] hi`), &m, nil, ref))
	require.Len(t, m.Elements, 2)
	require.NoError(t, Parse([]byte(`<13>1 - h a p m [z d="4"]`), &m, nil, ref))
	require.Equal(t, []elem{{"z", []string{"d=4"}}}, viewOf(&m).Elements)
	require.NoError(t, Parse([]byte("Jan  1 00:00:00 h"), &m, nil, ref))
	require.Equal(t, view{Pri: -1, Time: "2024-01-01T00:00:00Z", TimeText: "Jan  1 00:00:00", Host: "h"}, viewOf(&m))
}
