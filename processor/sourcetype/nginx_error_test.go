package sourcetype

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/accessgen"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

func TestNginxErrorParser(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	tests := []struct {
		name, line string
		loc        *time.Location
		want       string // the document's JSON
		wantMsg    string
		wantTime   time.Time
	}{
		{"request error with the whole list",
			`2024/05/01 10:00:00 [error] 1234#5678: *90 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 192.0.2.1, server: example.com, request: "GET /x?a=1 HTTP/1.1", upstream: "http://127.0.0.1:8080/x", host: "example.com:8443", referrer: "https://example.com/"`,
			nil,
			`{"destination":{"domain":"example.com","port":8443},"event":{"category":["web"],"kind":"event","type":["error"]},"http":{"request":{"method":"GET","referrer":"https://example.com/"},"version":"1.1"},"log":{"level":"error"},"nginx":{"error":{"connection_id":90}},"process":{"pid":1234,"thread":{"id":5678}},"source":{"address":"192.0.2.1","ip":"192.0.2.1"},"url":{"domain":"example.com","original":"/x?a=1"}}`,
			`open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 192.0.2.1, server: example.com, request: "GET /x?a=1 HTTP/1.1", upstream: "http://127.0.0.1:8080/x", host: "example.com:8443", referrer: "https://example.com/"`,
			time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"no connection, in the stream's zone",
			`2024/05/01 10:00:00 [notice] 1#1: signal process started`, paris,
			`{"event":{"category":["web"],"kind":"event","type":["error"]},"log":{"level":"notice"},"process":{"pid":1,"thread":{"id":1}}}`,
			`signal process started`,
			time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)},
		{"a request line holding the list's words",
			`2024/05/01 10:00:00 [warn] 7#7: *3 a client request body is buffered, client: 2001:db8::1, server: _, request: "POST /a, client: 6.6.6.6 HTTP/1.1", host: "10.0.0.1"`,
			nil,
			`{"destination":{"ip":"10.0.0.1"},"event":{"category":["web"],"kind":"event","type":["error"]},"http":{"request":{"method":"POST"},"version":"1.1"},"log":{"level":"warn"},"nginx":{"error":{"connection_id":3}},"process":{"pid":7,"thread":{"id":7}},"source":{"address":"2001:db8::1","ip":"2001:db8::1"},"url":{"domain":"10.0.0.1","original":"/a, client: 6.6.6.6"}}`,
			`a client request body is buffered, client: 2001:db8::1, server: _, request: "POST /a, client: 6.6.6.6 HTTP/1.1", host: "10.0.0.1"`,
			time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"a message that only looks like a list",
			`2024/05/01 10:00:00 [crit] 7#7: *3 odd, client: x and more`, nil,
			`{"event":{"category":["web"],"kind":"event","type":["error"]},"log":{"level":"crit"},"nginx":{"error":{"connection_id":3}},"process":{"pid":7,"thread":{"id":7}}}`,
			`odd, client: x and more`,
			time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"empty message", `2024/05/01 10:00:00 [emerg] 7#7:`, nil,
			`{"event":{"category":["web"],"kind":"event","type":["error"]},"log":{"level":"emerg"},"process":{"pid":7,"thread":{"id":7}}}`,
			``,
			time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireParsedLine(t, NginxErrorParser{}, tt.line, tt.loc, tt.want, tt.wantMsg, tt.wantTime)
		})
	}
}

func TestNginxErrorParserRejects(t *testing.T) {
	for _, line := range []string{
		``,
		`2024/05/01 10:00:00`,
		`2024/05/01 10:00:00 [error]`,
		`2024/05/01 10:00:00 [Error] 1#1: x`,
		`2024/05/01 10:00:00 [error] 1#: x`,
		`2024/05/01 10:00:00 [error] 1#1 x`,
		`2024/05/01 10:00:00 [error] 1#1:x`,
		`2024-05-01 10:00:00 [error] 1#1: x`,
		`2024/05/01 10:00 [error] 1#1: x`,
		`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`,
	} {
		t.Run(line, func(t *testing.T) {
			var d ecs.Document
			err := NginxErrorParser{}.Parse([]byte(line), &d, &Env{})
			require.ErrorIs(t, err, ErrNoMatch)
			require.Contains(t, err.Error(), NginxError)
		})
	}
}

func TestNginxErrorBadTimeKeepsFields(t *testing.T) {
	doc, _, hasTS, err := parseDoc(t, NginxErrorParser{}, `2024/13/01 10:00:00 [error] 1#2: boom`)
	require.ErrorIs(t, err, ErrTimestamp)
	require.NotErrorIs(t, err, ErrNoMatch)
	require.False(t, hasTS)
	require.Equal(t, map[string]any{"level": "error"}, doc["log"])
}

// FuzzNginxError checks that any line parses or is refused cleanly: a valid document, one
// kind of error, a message that is the end of the line, and a time when nothing failed.
func FuzzNginxError(f *testing.F) {
	for _, s := range []string{
		`2024/05/01 10:00:00 [error] 1234#5678: *90 m, client: 1.2.3.4, server: x, request: "GET /p HTTP/1.1", upstream: "u", host: "h"`,
		`2024/05/01 10:00:00 [notice] 1#1: signal process started`,
		`2024/05/01 10:00:00 [warn] 7#7: *3 m, client: ::1, request: "a"b", host: "", referrer: "-"`,
		`2024/02/30 10:00:00 [error] 1#1: x`, "2024/05/01 10:00:00 [error] 1#1: *x \xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		checkErrorParser(t, NginxErrorParser{}, line)
	})
}

// checkErrorParser runs an error log parser on line and checks what any line must give.
func checkErrorParser(t *testing.T, p Parser, line []byte) {
	t.Helper()
	var d ecs.Document
	err := p.Parse(line, &d, &Env{})
	require.NoError(t, ecstest.Check(d.AppendJSON(nil)))
	if err != nil {
		require.True(t, errors.Is(err, ErrNoMatch) != errors.Is(err, ErrTimestamp), "error %v", err)
		if errors.Is(err, ErrNoMatch) {
			return
		}
	}
	msg, ok := d.Message()
	require.True(t, ok, "a parsed line sets the message")
	require.True(t, bytes.HasSuffix(line, msg), "message %q is not the end of %q", msg, line)
	_, hasTS := d.Timestamp()
	require.Equal(t, err == nil, hasTS)
}

func BenchmarkParseNginxError(b *testing.B) {
	benchParse(b, NginxErrorParser{}, accessgen.NginxErrorLines(1000, 1))
}

// benchParse parses lines over and over into one Document, as the processor does.
func benchParse(b *testing.B, p Parser, lines [][]byte) {
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	var d ecs.Document
	env := &Env{} // one, as the processor has: through the interface, a new one would escape
	b.ReportAllocs()
	b.SetBytes(size / int64(len(lines)))
	n := 0
	for b.Loop() {
		d.Reset()
		if err := p.Parse(lines[n%len(lines)], &d, env); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}
