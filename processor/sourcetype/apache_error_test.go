package sourcetype

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/corpustest"
	"github.com/trolly-logs/trolly/processor/ecs"
)

func TestApacheErrorParser(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	tests := []struct {
		name, line string
		loc        *time.Location
		want       string // the document's JSON
		wantMsg    string
		wantTime   time.Time
	}{
		{"2.2", `[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties`, nil,
			`{"event":{"category":["web"],"kind":"event","type":["info"]},"log":{"level":"notice"}}`,
			`workerEnv.init() ok /etc/httpd/conf/workers2.properties`,
			time.Date(2005, 12, 4, 4, 47, 44, 0, time.UTC)},
		{"2.2 with a client, in the stream's zone",
			`[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/`, paris,
			`{"event":{"category":["web"],"kind":"event","type":["error"]},"log":{"level":"error"},"source":{"address":"222.166.160.184","ip":"222.166.160.184"}}`,
			`Directory index forbidden by rule: /var/www/html/`,
			time.Date(2005, 12, 4, 4, 15, 9, 0, time.UTC)},
		{"2.4",
			`[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 192.0.2.1:5678] AH00124: Request exceeded the limit of 10 internal redirects, referer: http://example.com/`, nil,
			`{"apache":{"error":{"module":"core"}},"error":{"code":"AH00124"},"event":{"category":["web"],"kind":"event","type":["error"]},"http":{"request":{"referrer":"http://example.com/"}},"log":{"level":"error"},"process":{"pid":1234,"thread":{"id":5678}},"source":{"address":"192.0.2.1","ip":"192.0.2.1","port":5678}}`,
			`AH00124: Request exceeded the limit of 10 internal redirects, referer: http://example.com/`,
			time.Date(2000, 10, 11, 14, 32, 52, 123456000, time.UTC)},
		{"2.4 IPv6 client, code after the system error, trace level",
			`[Mon Jan 01 00:00:00.5 2024] [proxy:trace2] [pid 9] [client ::1:58619] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 failed`, nil,
			`{"apache":{"error":{"module":"proxy"}},"error":{"code":"AH00957"},"event":{"category":["web"],"kind":"event","type":["info"]},"log":{"level":"trace2"},"process":{"pid":9},"source":{"address":"::1","ip":"::1","port":58619}}`,
			`(111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 failed`,
			time.Date(2024, 1, 1, 0, 0, 0, 500000000, time.UTC)},
		{"2.4 without a module, a hostname client",
			`[Tue Mar 01 10:00:00.000001 2016] [:warn] [pid 1] [client host.example:80] PHP Warning: x`, nil,
			`{"event":{"category":["web"],"kind":"event","type":["error"]},"log":{"level":"warn"},"process":{"pid":1},"source":{"address":"host.example","port":80}}`,
			`PHP Warning: x`,
			time.Date(2016, 3, 1, 10, 0, 0, 1000, time.UTC)},
		{"no message, a space-padded day", `[Sun Dec  4 04:47:44 2005] [debug]`, nil,
			`{"event":{"category":["web"],"kind":"event","type":["info"]},"log":{"level":"debug"}}`,
			``,
			time.Date(2005, 12, 4, 4, 47, 44, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireParsedLine(t, ApacheErrorParser{}, tt.line, tt.loc, tt.want, tt.wantMsg, tt.wantTime)
		})
	}
}

func TestApacheErrorParserRejects(t *testing.T) {
	for _, line := range []string{
		``,
		`just text`,
		`[Sun Dec 04 04:47:44 2005]`,
		`[Sun Dec 04 04:47:44 2005] notice message`,
		`[Sun Dec 04 04:47:44 2005] [loud] message`,
		`[Sun Dec 04 04:47:44 2005] [core:trace9] message`,
		`[Sun Dec 04 04:47:44 2005] [notice]message`,
		`[Sun Dec 04 04:47:44 2005][notice] message`,
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`,
	} {
		t.Run(line, func(t *testing.T) {
			var d ecs.Document
			err := ApacheErrorParser{}.Parse([]byte(line), &d, &Env{})
			require.ErrorIs(t, err, ErrNoMatch)
			require.Contains(t, err.Error(), ApacheError)
		})
	}
}

func TestApacheErrorBadTimeKeepsFields(t *testing.T) {
	doc, _, hasTS, err := parseDoc(t, ApacheErrorParser{}, `[Sun Dec 32 04:47:44 2005] [error] [pid 3] boom`)
	require.ErrorIs(t, err, ErrTimestamp)
	require.NotErrorIs(t, err, ErrNoMatch)
	require.False(t, hasTS)
	require.Equal(t, map[string]any{"pid": float64(3)}, doc["process"])
}

func TestApacheCode(t *testing.T) {
	for in, want := range map[string]string{
		"AH00124: x":                          "AH00124",
		"(2)No such file: AH01: x AH02345: y": "AH02345",
		"xAH00124: x":                         "",
		"AH0012: x":                           "",
		"AH001245 x":                          "",
		"AH00124":                             "",
		"":                                    "",
	} {
		t.Run(in, func(t *testing.T) {
			require.Equal(t, want, string(apacheCode([]byte(in))))
		})
	}
}

// FuzzApacheError checks that any line parses or is refused cleanly (see checkErrorParser).
func FuzzApacheError(f *testing.F) {
	for _, s := range []string{
		`[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties`,
		`[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/`,
		`[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00124: m, referer: r`,
		`[Mon Jan 01 00:00:00.5 2024] [proxy:trace2] [pid 9] [client ::1:58619] (111)x: AH00957: y`,
		`[x] [error] [pid 1:tid] [client ]`, "[Sun Dec 04 04:47:44 2005] [:info] \xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		checkErrorParser(t, ApacheErrorParser{}, line)
	})
}

// BenchmarkParseApacheError parses Apache's public error log (see the corpus README).
func BenchmarkParseApacheError(b *testing.B) {
	lines := corpustest.Lines(b, "apache_2k.log")
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, "\r")
	}
	benchParse(b, ApacheErrorParser{}, lines)
}
