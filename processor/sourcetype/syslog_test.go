package sourcetype

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

// syslogEnv is the Env of the syslog tests: received 2024-05-01 12:00 UTC.
func syslogEnv() *Env {
	return &Env{Received: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano()}
}

// parseEnv runs p on line with env, as the processor does, and returns the document's JSON
// with its message, and its time.
func parseEnv(t testing.TB, p Parser, line string, env *Env) (doc string, ts time.Time, err error) {
	t.Helper()
	var d ecs.Document
	d.SetMessage([]byte(line))
	err = p.Parse([]byte(line), &d, env)
	out := d.AppendJSON(nil)
	require.NoError(t, ecstest.Check(out), "document %s", out)
	if ns, ok := d.Timestamp(); ok {
		ts = time.Unix(0, ns).UTC()
	}
	if msg, ok := d.Message(); ok {
		var m map[string]any
		require.NoError(t, json.Unmarshal(out, &m))
		m["message"] = string(msg)
		out, _ = json.Marshal(m)
	}
	return string(out), ts, err
}

func TestSyslogParser(t *testing.T) {
	tests := []struct {
		name, line string
		want       string
		wantTime   time.Time
	}{
		{"rfc 5424 with structured data", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Appli\"cation"][origin ip="192.0.2.1"] An application event`,
			`{"event":{"kind":"event"},"host":{"hostname":"mymachine.example.com"},"log":{"level":"notice","syslog":{"appname":"evntslog","facility":{"code":20,"name":"local4"},"hostname":"mymachine.example.com","msgid":"ID47","priority":165,"procid":"1234","severity":{"code":5,"name":"Notice"},"structured_data":{"exampleSDID@32473":{"eventSource":"Appli\"cation","iut":"3"},"origin":{"ip":"192.0.2.1"}},"version":"1"}},"message":"An application event","process":{"name":"evntslog","pid":1234}}`,
			time.Date(2003, 10, 11, 22, 14, 15, 3000000, time.UTC)},
		{"rfc 3164 from a file", "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=218.188.2.4 \r",
			`{"event":{"kind":"event"},"host":{"hostname":"combo"},"log":{"syslog":{"appname":"sshd(pam_unix)","hostname":"combo","procid":"19939"}},"message":"authentication failure; rhost=218.188.2.4 ","process":{"name":"sshd","pid":19939}}`,
			time.Date(2023, 6, 14, 15, 16, 1, 0, time.UTC)},
		{"rfc 3164 without hostname", "<11>Jan  1 00:00:00 app: msg",
			`{"event":{"kind":"event"},"log":{"level":"error","syslog":{"appname":"app","facility":{"code":1,"name":"user"},"priority":11,"severity":{"code":3,"name":"Error"}}},"message":"msg","process":{"name":"app"}}`,
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"no message keeps the line", "<13>1 2024-01-02T03:04:05Z host app - - -",
			`{"event":{"kind":"event"},"host":{"hostname":"host"},"log":{"level":"notice","syslog":{"appname":"app","facility":{"code":1,"name":"user"},"hostname":"host","priority":13,"severity":{"code":5,"name":"Notice"},"version":"1"}},"message":"<13>1 2024-01-02T03:04:05Z host app - - -","process":{"name":"app"}}`,
			time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"no time", "<13>app[x1]: hello",
			`{"event":{"kind":"event"},"log":{"level":"notice","syslog":{"appname":"app","facility":{"code":1,"name":"user"},"priority":13,"procid":"x1","severity":{"code":5,"name":"Notice"}}},"message":"hello","process":{"name":"app"}}`,
			time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ts, err := parseEnv(t, SyslogParser{}, tt.line, syslogEnv())
			require.NoError(t, err)
			require.JSONEq(t, tt.want, doc)
			require.Equal(t, tt.wantTime, ts)
		})
	}
}

func TestSyslogParserErrors(t *testing.T) {
	_, _, err := parseEnv(t, SyslogParser{}, "just some text", syslogEnv())
	require.ErrorIs(t, err, ErrNoMatch)
	require.Contains(t, err.Error(), "syslog: ")

	doc, ts, err := parseEnv(t, SyslogParser{}, "Feb 30 10:00:00 host app[1]: hello", syslogEnv())
	require.ErrorIs(t, err, ErrTimestamp)
	require.NotErrorIs(t, err, ErrNoMatch)
	require.Contains(t, err.Error(), `"Feb 30 10:00:00"`)
	require.True(t, ts.IsZero())
	require.JSONEq(t, `{"event":{"kind":"event"},"host":{"hostname":"host"},"log":{"syslog":{"appname":"app","hostname":"host","procid":"1"}},"message":"hello","process":{"name":"app","pid":1}}`, doc)
}

func TestSyslogParserZone(t *testing.T) {
	env := syslogEnv()
	var err error
	env.Location, err = time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	_, ts, err := parseEnv(t, SyslogParser{}, "Mar  1 10:00:00 host app: x", env)
	require.NoError(t, err)
	require.Equal(t, time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), ts)
}

func FuzzSyslogParser(f *testing.F) {
	for _, s := range []string{
		`<165>1 2003-10-11T22:14:15.003Z host app 1 ID [a@1 x="\"\\\]" y=""][b] msg`,
		"<13>Jan  1 00:00:00 app: msg", "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: x\r",
		"<14>1 - - - - - [x a=\"\xff\x01\"]", "Feb 30 10:00:00 host app[1]: hello", "x",
	} {
		f.Add([]byte(s))
	}
	fuzzParser(f, SyslogParser{})
}

// fuzzParser checks that p never panics, that its errors wrap exactly one sentinel and that
// its documents are valid JSON.
func fuzzParser(f *testing.F, p Parser) {
	env := syslogEnv()
	f.Fuzz(func(t *testing.T, line []byte) {
		var d ecs.Document
		err := p.Parse(line, &d, env)
		if err != nil {
			require.True(t, errors.Is(err, ErrNoMatch) != errors.Is(err, ErrTimestamp), "error %v", err)
		}
		if errors.Is(err, ErrNoMatch) {
			return
		}
		require.NoError(t, ecstest.Check(d.AppendJSON(nil)))
	})
}

// TestSyslogParsersDoNotAllocate guards the per-line cost on lines without structured data,
// the bulk of syslog.
func TestSyslogParsersDoNotAllocate(t *testing.T) {
	env := syslogEnv()
	for _, c := range []struct {
		p    Parser
		line string
	}{
		{SyslogParser{}, "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=218.188.2.4 \r"},
		{SyslogParser{}, "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf'su root' failed"},
		{SSHDParser{}, "Dec 10 07:02:47 LabSZ sshd[24203]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root"},
		{SSHDParser{}, "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2"},
	} {
		var d ecs.Document
		line := []byte(c.line)
		allocs := testing.AllocsPerRun(100, func() {
			d.Reset()
			require.NoError(t, c.p.Parse(line, &d, env))
		})
		require.Zero(t, allocs, c.line)
	}
}
