package sourcetype

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

// testEnv is a stream in UTC that received its records at 2024-05-01 12:00 UTC.
func testEnv() *Env {
	return &Env{Received: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano()}
}

// parsed is what a parser made of one line.
type parsed struct {
	doc  string // the document's fields as JSON
	msg  string // "" with hasMsg false: none set
	time time.Time
	err  error
}

// run parses line with p and checks that the document is well formed.
func run(t testing.TB, p Parser, line string) parsed {
	t.Helper()
	var d ecs.Document
	err := p.Parse([]byte(line), &d, testEnv())
	out := d.AppendJSON(nil)
	require.NoError(t, ecstest.Check(out), "document %s", out)
	got := parsed{doc: string(out), err: err}
	if m, ok := d.Message(); ok {
		got.msg = string(m)
	}
	if ns, ok := d.Timestamp(); ok {
		got.time = time.Unix(0, ns).UTC()
	}
	return got
}

func TestLogfmtParser(t *testing.T) {
	tests := []struct {
		name, line string
		want       parsed
	}{
		{"go-kit line", `ts=2024-05-01T10:00:00.5Z level=INFO msg="user logged in" user.id=42 caller=auth.go:12`,
			parsed{doc: `{"caller":"auth.go:12","log":{"level":"info"},"user":{"id":"42"}}`, msg: "user logged in",
				time: time.Date(2024, 5, 1, 10, 0, 0, 500000000, time.UTC)}},
		{"escapes in quotes", `msg="say \"hi\"\tnow \u00e9\q" path="C:\\x"`,
			parsed{doc: `{"path":"C:\\x"}`, msg: "say \"hi\"\tnow é\\q"}},
		{"flags and empty values", `a=1 debug b= c=""`, parsed{doc: `{"a":"1","b":"","c":"","debug":true}`}},
		{"bare values keep = and quotes", `q=a=b x=say"hi"`, parsed{doc: `{"q":"a=b","x":"say\"hi\""}`}},
		{"message beats msg, which stays", `msg=short message=long`, parsed{doc: `{"msg":"short"}`, msg: "long"}},
		{"best-ranked level key wins", `lvl=warn level=ERROR`, parsed{doc: `{"log":{"level":"error"},"lvl":"warn"}`}},
		{"@timestamp beats timestamp", `timestamp=2020-01-01T00:00:00Z @timestamp=2024-05-01T10:00:00Z`,
			parsed{doc: `{"timestamp":"2020-01-01T00:00:00Z"}`, time: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}},
		{"epoch time", `time=1714557600 x=y`, parsed{doc: `{"x":"y"}`, time: time.Unix(1714557600, 0).UTC()}},
		{"bad time stays", `time=soon x=y`, parsed{doc: `{"time":"soon","x":"y"}`, err: ErrTimestamp}},
		{"empty time is a field", `time= x=y`, parsed{doc: `{"time":"","x":"y"}`}},
		{"keys are normalised paths", `a..b=1 .c=2 d.=3`, parsed{doc: `{"_":{"c":"2"},"a":{"_":{"b":"1"}},"d":{"_":"3"}}`}},
		{"tabs and trailing space", "a=1\tb=2  ", parsed{doc: `{"a":"1","b":"2"}`}},
		{"invalid UTF-8 is replaced", "a=\xff", parsed{doc: `{"a":"\ufffd"}`}},
		{"value and object", `a=1 a.b=2`, parsed{doc: `{"a":{"_value":"1","b":"2"}}`}},
		{"only moved keys", `msg=hi level=debug`, parsed{doc: `{"log":{"level":"debug"}}`, msg: "hi"}},

		{"no pair", `just some text`, parsed{doc: `{}`, err: ErrNoMatch}},
		{"empty", ``, parsed{doc: `{}`, err: ErrNoMatch}},
		{"flag first", `text a=1`, parsed{doc: `{}`, err: ErrNoMatch}},
		{"unterminated quote", `a="open b=2`, parsed{doc: `{}`, err: ErrNoMatch}},
		{"text after a quote", `a="x"y`, parsed{doc: `{}`, err: ErrNoMatch}},
		{"stray quote", `a=1 "b"=2`, parsed{doc: `{}`, err: ErrNoMatch}},
		{"stray =", `a=1 =2`, parsed{doc: `{}`, err: ErrNoMatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, LogfmtParser{}, tt.line)
			if tt.want.err != nil {
				require.ErrorIs(t, got.err, tt.want.err)
				require.Contains(t, got.err.Error(), "logfmt")
			} else {
				require.NoError(t, got.err)
			}
			if !errors.Is(tt.want.err, ErrNoMatch) {
				require.Equal(t, tt.want, parsed{doc: got.doc, msg: got.msg, time: got.time, err: tt.want.err})
			}
		})
	}
}

// FuzzLogfmt checks any line for well-formed output and sentinel errors, and that a value
// written by a JSON encoder (which logfmt's quoting follows) reads back unchanged.
func FuzzLogfmt(f *testing.F) {
	for _, s := range []string{
		`ts=2024-05-01T10:00:00Z level=info msg="hello \"x\"" a.b=1 flag`,
		`a="\u00e9\ud83d\ude00" b=\x c= d=""`,
		`time=1714557600123 lvl=WARN message="a\nb"`,
		`a="unterminated`,
		"k=\x00\xff v=\"\\\"",
	} {
		f.Add(s, "tab\there \"quoted\" \\ \xff é")
	}
	f.Fuzz(func(t *testing.T, line, value string) {
		var d ecs.Document
		err := LogfmtParser{}.Parse([]byte(line), &d, testEnv())
		if err != nil {
			require.True(t, errors.Is(err, ErrNoMatch) || errors.Is(err, ErrTimestamp), "error %v wraps no sentinel", err)
		}
		out := d.AppendJSON(nil)
		require.NoError(t, ecstest.Check(out), "line %q gave %s", line, out)

		quoted, err := json.Marshal(value)
		require.NoError(t, err)
		var want string
		require.NoError(t, json.Unmarshal(quoted, &want))
		d.Reset()
		require.NoError(t, LogfmtParser{}.Parse([]byte("k="+string(quoted)+" msg="+string(quoted)), &d, testEnv()))
		var got map[string]string
		require.NoError(t, json.Unmarshal(d.AppendJSON(nil), &got))
		require.Equal(t, map[string]string{"k": want}, got)
		msg, _ := d.Message()
		require.Equal(t, want, strings.ToValidUTF8(string(msg), "\ufffd"))
	})
}

func BenchmarkParseLogfmt(b *testing.B) {
	lines := [][]byte{
		[]byte(`ts=2024-05-01T10:00:00.123Z level=info msg="request served" method=GET path=/api/v1/users status=200 duration=12.5ms`),
		[]byte(`time="2024-05-01T10:00:01Z" level=warning msg="slow query \"users\"" db.name=main rows=1200 took=1.2s`),
	}
	benchParser(b, LogfmtParser{}, lines)
}

// benchParser parses lines round robin, encoding each document as the processor does, and
// reports lines per second.
func benchParser(b *testing.B, p Parser, lines [][]byte) {
	b.Helper()
	var size int
	for _, l := range lines {
		size += len(l)
	}
	var d ecs.Document
	env := testEnv()
	b.ReportAllocs()
	b.SetBytes(int64(size / len(lines)))
	var out []byte
	n := 0
	for b.Loop() {
		d.Reset()
		if err := p.Parse(lines[n%len(lines)], &d, env); err != nil {
			b.Fatal(err)
		}
		out = d.AppendJSON(out[:0])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}
