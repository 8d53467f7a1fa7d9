package sourcetype

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/accessgen"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

// parseDoc runs p on line and returns the document's JSON and time.
func parseDoc(t testing.TB, p Parser, line string) (doc map[string]any, ts int64, hasTS bool, err error) {
	t.Helper()
	var d ecs.Document
	err = p.Parse([]byte(line), &d, &Env{})
	out := d.AppendJSON(nil)
	require.NoError(t, ecstest.Check(out), "document %s", out)
	require.NoError(t, json.Unmarshal(out, &doc))
	ts, hasTS = d.Timestamp()
	return doc, ts, hasTS, err
}

func TestAccessParser(t *testing.T) {
	p := AccessParser{Name: NginxAccess}
	tests := []struct {
		name, line string
		want       string // the document's JSON
		wantTime   time.Time
	}{
		{"common", `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			`{"event":{"category":["web"],"kind":"event","outcome":"success","type":["access"]},"http":{"request":{"method":"GET"},"response":{"body":{"bytes":2326},"status_code":200},"version":"1.0"},"source":{"address":"127.0.0.1","ip":"127.0.0.1"},"url":{"original":"/apache_pb.gif"},"user":{"name":"frank"}}`,
			time.Date(2000, 10, 10, 20, 55, 36, 0, time.UTC)},
		{"combined with extra nginx fields", `::1 - - [01/Jan/2024:00:00:00 +0100] "HEAD /x HTTP/1.1" 503 0 "http://r/" "ua" "10.0.0.1" rt=0.003`,
			`{"event":{"category":["web"],"kind":"event","outcome":"failure","type":["access"]},"http":{"request":{"method":"HEAD","referrer":"http://r/"},"response":{"body":{"bytes":0},"status_code":503},"version":"1.1"},"source":{"address":"::1","ip":"::1"},"url":{"original":"/x"},"user_agent":{"original":"ua"}}`,
			time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"hostname, dashes and an IPv6 zone", `fe80::1%eth0 - - [01/Jan/2024:00:00:00 +0000] "-" - - "-" "-"`,
			`{"event":{"category":["web"],"kind":"event","outcome":"unknown","type":["access"]},"source":{"address":"fe80::1%eth0"}}`,
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"escapes", `h - - [01/Jan/2024:00:00:00 +0000] "GET /\x41\"\\\q\x4 HTTP/1.1" 200 1 "-" "tab\there"`,
			`{"event":{"category":["web"],"kind":"event","outcome":"success","type":["access"]},"http":{"request":{"method":"GET"},"response":{"body":{"bytes":1},"status_code":200},"version":"1.1"},"source":{"address":"h"},"url":{"original":"/A\"\\\\q\\x4"},"user_agent":{"original":"tab\there"}}`,
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"vhost_combined", `www.example.com:443 192.0.2.7 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"`,
			`{"destination":{"domain":"www.example.com","port":443},"event":{"category":["web"],"kind":"event","outcome":"success","type":["access"]},"http":{"request":{"method":"GET"},"response":{"body":{"bytes":5},"status_code":200},"version":"1.1"},"source":{"address":"192.0.2.7","ip":"192.0.2.7"},"url":{"domain":"www.example.com","original":"/"},"user_agent":{"original":"curl/8.5.0"}}`,
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"vhost_common with an address and no port", `10.0.0.1 h - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 404 -`,
			`{"destination":{"ip":"10.0.0.1"},"event":{"category":["web"],"kind":"event","outcome":"failure","type":["access"]},"http":{"request":{"method":"GET"},"response":{"status_code":404},"version":"1.1"},"source":{"address":"h"},"url":{"domain":"10.0.0.1","original":"/"}}`,
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"vhost of a bracketed IPv6 address", `[2001:db8::1]:8443 ::1 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 0`,
			`{"destination":{"ip":"2001:db8::1","port":8443},"event":{"category":["web"],"kind":"event","outcome":"success","type":["access"]},"http":{"request":{"method":"GET"},"response":{"body":{"bytes":0},"status_code":200},"version":"1.1"},"source":{"address":"::1","ip":"::1"},"url":{"domain":"2001:db8::1","original":"/"}}`,
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d ecs.Document
			require.NoError(t, p.Parse([]byte(tt.line), &d, &Env{}))
			require.Equal(t, tt.want, string(d.AppendJSON(nil)))
			ts, ok := d.Timestamp()
			require.True(t, ok)
			require.Equal(t, tt.wantTime.UnixNano(), ts)
		})
	}
}

func TestAccessParserRejects(t *testing.T) {
	p := AccessParser{Name: ApacheAccess}
	for _, line := range []string{
		``,
		`just text`,
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200`,             // no bytes
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2000 1`,          // status of 4 digits
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0 200 1`,            // unclosed quote
		`127.0.0.1 - - 10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.0" 200 1`,             // no brackets
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 junk`,      // common with junk
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-"`,       // half combined
		"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\n",       // newline left in
		`127.0.0.1  - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`,          // double space
		`[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/w.p`, // error log
		`v h 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`,       // five fields
		`127.0.0.1 - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`,             // two fields
	} {
		t.Run(line, func(t *testing.T) {
			var d ecs.Document
			err := p.Parse([]byte(line), &d, &Env{})
			require.ErrorIs(t, err, ErrNoMatch)
			require.NotErrorIs(t, err, ErrTimestamp)
			require.Contains(t, err.Error(), ApacheAccess)
		})
	}
}

func TestParseCLFTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero: rejected
	}{
		{"10/Oct/2000:13:55:36 -0700", time.Date(2000, 10, 10, 20, 55, 36, 0, time.UTC)},
		{"29/Feb/2024:23:59:59 +0100", time.Date(2024, 2, 29, 22, 59, 59, 0, time.UTC)},
		{"01/Jan/2024:00:30:00 +0530", time.Date(2023, 12, 31, 19, 0, 0, 0, time.UTC)},
		{"31/Dec/1999:23:59:59 -1200", time.Date(2000, 1, 1, 11, 59, 59, 0, time.UTC)},
		{"29/Feb/2023:00:00:00 +0000", time.Time{}},
		{"31/Apr/2024:00:00:00 +0000", time.Time{}},
		{"00/Jan/2024:00:00:00 +0000", time.Time{}},
		{"10/oct/2000:13:55:36 -0700", time.Time{}},
		{"10/Oct/2000:24:00:00 -0700", time.Time{}},
		{"10/Oct/2000:13:60:00 -0700", time.Time{}},
		{"10/Oct/2000:13:55:60 -0700", time.Time{}},
		{"10/Oct/2000:13:55:36 -0760", time.Time{}},
		{"10/Oct/2000:13:55:36 0700", time.Time{}},
		{"10/Oct/2000:13:55:36", time.Time{}},
		{"10/Oct/2000 13:55:36 -0700", time.Time{}},
		{"1x/Oct/2000:13:55:36 -0700", time.Time{}},
		{"10/Oct/3000:13:55:36 -0700", time.Time{}}, // beyond Unix nanoseconds
		{"", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ns, ok := parseCLFTime([]byte(tt.in))
			require.Equal(t, !tt.want.IsZero(), ok)
			if ok {
				require.Equal(t, tt.want.UnixNano(), ns)
				// Cross-check with the standard library.
				ref, err := time.Parse("02/Jan/2006:15:04:05 -0700", tt.in)
				require.NoError(t, err)
				require.Equal(t, ref.UnixNano(), ns)
			}
		})
	}
}

func TestAccessTimestampFailureKeepsFields(t *testing.T) {
	doc, _, hasTS, err := parseDoc(t, AccessParser{Name: NginxAccess},
		`1.2.3.4 - - [99/Foo/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"`)
	require.ErrorIs(t, err, ErrTimestamp)
	require.NotErrorIs(t, err, ErrNoMatch)
	require.False(t, hasTS)
	require.Equal(t, map[string]any{"address": "1.2.3.4", "ip": "1.2.3.4"}, doc["source"])
}

func FuzzAccessParser(f *testing.F) {
	for _, s := range []string{
		`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
		`::1 - - [01/Jan/2024:00:00:00 +0100] "HEAD /x HTTP/1.1" 503 0 "http://r/" "ua" "10.0.0.1"`,
		`h - - [01/Jan/2024:00:00:00 +0000] "GET /\x41\"\\ HTTP/1.1" 200 1 "\xff" "-"`,
		`h - - [] "" - -`,
		"h - - [01/Jan/2024:00:00:00 +0000] \"\xff\xfe\" 200 1 \"-\" \"-\"",
	} {
		f.Add([]byte(s))
	}
	p := AccessParser{Name: NginxAccess}
	f.Fuzz(func(t *testing.T, line []byte) {
		var d ecs.Document
		err := p.Parse(line, &d, &Env{})
		if err != nil {
			require.True(t, errors.Is(err, ErrNoMatch) != errors.Is(err, ErrTimestamp), "error %v", err)
		}
		require.NoError(t, ecstest.Check(d.AppendJSON(nil)))
	})
}

// FuzzParseCLFTime checks the hand-written time parser against the standard library.
func FuzzParseCLFTime(f *testing.F) {
	for _, s := range []string{"10/Oct/2000:13:55:36 -0700", "29/Feb/2024:23:59:59 +0100",
		"31/Apr/2024:00:00:00 +0000", "10/Oct/2000:13:55:36 -0760", "01/Jan/1678:00:00:00 +0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ns, ok := parseCLFTime([]byte(s))
		ref, err := time.Parse("02/Jan/2006:15:04:05 -0700", s)
		if !ok {
			return // ours may be stricter (zones up to ±23:59, years 1678 to 2262)
		}
		require.NoError(t, err, "accepted %q", s)
		require.Equal(t, ref.UnixNano(), ns, "%q", s)
	})
}

// oracleLine is the regular expression the scanner replaced, grown by vhost_combined's
// leading field, which must not start with '[' (else it is a common line's time).
var oracleLine = regexp.MustCompile(`^(?:(\S+) (\S+) (\S+) ([^\[\t\n\f\r ]\S*)|(\S+) (\S+) (\S+)) ` +
	`\[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)` +
	`(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"(?: .*)?)?$`)

// oracleScan is scanAccess done with oracleLine.
func oracleScan(line []byte) (accessLine, bool) {
	m := oracleLine.FindSubmatch(line)
	if m == nil {
		return accessLine{}, false
	}
	a := accessLine{vhost: m[1], host: m[2], user: m[4], time: m[8], request: m[9], status: m[10],
		bytes: m[11], referrer: m[12], agent: m[13]}
	if m[1] == nil {
		a.host, a.user = m[5], m[7]
	}
	a.escaped.request = bytes.IndexByte(a.request, '\\') >= 0
	a.escaped.referrer = bytes.IndexByte(a.referrer, '\\') >= 0
	a.escaped.agent = bytes.IndexByte(a.agent, '\\') >= 0
	return a, true
}

func TestScanAccessMatchesOracle(t *testing.T) {
	lines := [][]byte{
		[]byte(`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`),
		[]byte(`v:80 h - u [t] "r" 200 1 "" "" x`),
		[]byte(`a [b c [t] "" - -`),
		[]byte(`v h - [x] [t] "" - -`),
		[]byte("h - - [t\n] \"a\\\"b\" 200 1 \"\\\n\" \"\""),
	}
	lines = append(lines, accessgenLines()...)
	for _, line := range lines {
		want, wantOK := oracleScan(line)
		got, ok := scanAccess(line)
		require.Equal(t, wantOK, ok, "%q", line)
		require.Equal(t, want, got, "%q", line)
	}
}

// FuzzAccess checks the scanner against the regular expression it replaced, on any input:
// the same verdict, the same parts, and so the same document.
func FuzzAccess(f *testing.F) {
	for _, s := range []string{
		`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
		`::1 - - [01/Jan/2024:00:00:00 +0100] "HEAD /x HTTP/1.1" 503 0 "http://r/" "ua" "10.0.0.1" rt=0.003`,
		`www.example.com:443 192.0.2.7 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "c"`,
		`h - - [01/Jan/2024:00:00:00 +0000] "GET /\x41\"\\ HTTP/1.1" 200 1 "\xff" "-"`,
		`v h - [x] [t] "" - -`, `h - - [] "" - -`, "h - - [t] \"\\\n\" 200 1", `a b c d e [t] "" 200 1`,
	} {
		f.Add([]byte(s))
	}
	p := AccessParser{Name: NginxAccess}
	f.Fuzz(func(t *testing.T, line []byte) {
		if len(line) > 512 {
			// The oracle is slow on long lines (0.5 ms at 3 kB), which stalls minimizing.
			return
		}
		want, wantOK := oracleScan(line)
		got, ok := scanAccess(line)
		require.Equal(t, wantOK, ok, "%q", line)
		require.Equal(t, want, got, "%q", line)
		if !ok {
			return
		}
		var wantDoc, gotDoc ecs.Document
		wantErr := want.set(&wantDoc, p.Name)
		gotErr := p.Parse(line, &gotDoc, &Env{})
		require.Equal(t, wantErr, gotErr)
		require.Equal(t, string(wantDoc.AppendJSON(nil)), string(gotDoc.AppendJSON(nil)))
	})
}

func TestSplitHostPort(t *testing.T) {
	tests := []struct {
		in, name string
		port     int64 // -1: none
	}{
		{"example.com", "example.com", -1},
		{"example.com:443", "example.com", 443},
		{"example.com:65535", "example.com", 65535},
		{"example.com:65536", "example.com:65536", -1},
		{"example.com:", "example.com:", -1},
		{"example.com:x", "example.com:x", -1},
		{"10.0.0.1:8080", "10.0.0.1", 8080},
		{"::1", "::1", -1},
		{"2001:db8::1:80", "2001:db8::1:80", -1},
		{"[2001:db8::1]", "2001:db8::1", -1},
		{"[2001:db8::1]:80", "2001:db8::1", 80},
		{"[2001:db8::1]x", "[2001:db8::1]x", -1},
		{"[2001:db8::1", "[2001:db8::1", -1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			name, port, ok := splitHostPort([]byte(tt.in))
			require.Equal(t, tt.name, string(name))
			require.Equal(t, tt.port >= 0, ok)
			if ok {
				require.Equal(t, tt.port, port)
			}
		})
	}
}

func accessgenLines() [][]byte {
	var out [][]byte
	for _, l := range accessgen.Lines(500, 3) {
		out = append(out, l, append([]byte("vhost.example:80 "), l...))
	}
	return out
}
