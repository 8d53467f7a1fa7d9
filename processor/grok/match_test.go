package grok

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

// received is the reference time of the tests, for times without a year.
var received = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC).UnixNano()

// result is what one Match left in a document.
type result struct {
	matched bool
	err     error
	fields  string // the document's JSON
	message string
	hasMsg  bool
	ts      time.Time
	hasTS   bool
}

func match(t *testing.T, p *Pattern, line string, loc *time.Location) result {
	t.Helper()
	var d ecs.Document
	matched, err := p.Match([]byte(line), &d, loc, received)
	out := d.AppendJSON(nil)
	require.NoError(t, ecstest.Check(out), "%s", out)
	r := result{matched: matched, err: err, fields: string(out)}
	msg, hasMsg := d.Message()
	r.message, r.hasMsg = string(msg), hasMsg
	if ns, ok := d.Timestamp(); ok {
		r.ts, r.hasTS = time.Unix(0, ns).UTC(), true
	}
	return r
}

func TestMatchSyntax(t *testing.T) {
	tests := []struct {
		name, pattern, line string
		defs                map[string]string
		want                string // the fields; "" for no match
	}{
		{"reference with field", `%{IP:source.ip} %{WORD:event.action}`, "from 10.0.0.1 login ok",
			nil, `{"event":{"action":"login"},"source":{"ip":"10.0.0.1"}}`},
		{"unnamed reference does not capture", `%{IP} %{WORD:w}`, "10.0.0.1 x", nil, `{"w":"x"}`},
		{"named groups", `(?<a.b>\d+)-(?P<a.c>\w+)-(?<x_y>z)`, "12-ab-z", nil, `{"a":{"b":"12","c":"ab"},"x_y":"z"}`},
		{"plain groups do not capture", `(\d+)-(?<n>\d+)`, "1-2", nil, `{"n":"2"}`},
		{"typed group", `n=(?<n:int>-?\d+)`, "n=-5", nil, `{"n":-5}`},
		{"unanchored", `%{INT:n}`, "abc 42 def", nil, `{"n":"42"}`},
		{"anchored", `^%{INT:n}$`, "abc 42 def", nil, ""},
		{"no match", `%{IPV4:ip}`, "no address here", nil, ""},
		{"empty capture sets nothing", `a(?<x>\d*)b`, "ab", nil, `{}`},
		{"capture outside the match path", `(?:%{INT:n}|%{WORD:w})$`, "abc", nil, `{"w":"abc"}`},
		{"same field in two branches", `(?:%{IPV4:host}|%{HOSTNAME:host})!`, "web-1!", nil, `{"host":"web-1"}`},
		{"definitions", `%{PAIR:p1} %{PAIR:p2}`, "a=1 b=2", map[string]string{"PAIR": `%{KEY}=%{INT}`, "KEY": `[a-z]+`},
			`{"p1":"a=1","p2":"b=2"}`},
		{"captures inside a definition", `%{KV}`, "k=v", map[string]string{"KV": `%{WORD:kv.key}=%{WORD:kv.value}`},
			`{"kv":{"key":"k","value":"v"}}`},
		{"definition replaces the library", `%{INT:n}`, "x7 42", map[string]string{"INT": `x\d`}, `{"n":"x7"}`},
		{"library through a replaced name", `^%{NUMBER:n}$`, "1,5", map[string]string{"BASE10NUM": `\d+,\d+`}, `{"n":"1,5"}`},
		{"literal percent brace", `\%{x} %{WORD:w}`, "%{x} y", nil, `{"w":"y"}`},
		{"percent alone", `100% %{WORD:w}`, "100% done", nil, `{"w":"done"}`},
		{"class holds %{", `[%{]+%{WORD:w}`, "%{{a", nil, `{"w":"a"}`},
		{"quoted text", `\Q%{a}(\E%{WORD:w}`, "%{a}(b", nil, `{"w":"b"}`},
		{"unclosed quote in a definition", `%{Q}%{WORD:w}`, "(x)y", map[string]string{"Q": `\Q(x)`}, `{"w":"y"}`},
		{"flags", `(?i)level=%{WORD:l}`, "LEVEL=warn", nil, `{"l":"warn"}`},
		{"DATA crosses lines", `^%{DATA:a}\|%{GREEDYDATA:b}$`, "x\ny|z\nw", nil, `{"a":"x\ny","b":"z\nw"}`},
		{"repeated reference", `(?:%{INT},)+`, "1,2,3,", nil, `{}`},
		{"layout with colons", `%{DATA:t:timestamp(2006-01-02 15:04:05)}!`, "2024-05-01 12:00:01!", nil, `{"t":"2024-05-01T12:00:01Z"}`},
		{"layout with a greater-than", `(?<t:timestamp(2006>01)>\S+)`, "2024>05", nil, `{"t":"2024-05-01T00:00:00Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.pattern, tt.defs)
			require.NoError(t, err)
			r := match(t, p, tt.line, nil)
			require.NoError(t, r.err)
			require.Equal(t, tt.want != "", r.matched)
			if tt.want == "" {
				require.Equal(t, "{}", r.fields)
				return
			}
			require.Equal(t, tt.want, r.fields)
		})
	}
}

func TestMatchTypes(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	tests := []struct {
		name, pattern, line string
		want                string
	}{
		{"string", `%{NOTSPACE:s:string}`, "a1", `{"s":"a1"}`},
		{"int", `%{INT:n:int}`, "+42", `{"n":42}`},
		{"long at its limit", `%{INT:n:long}`, "-9223372036854775808", `{"n":-9223372036854775808}`},
		{"float", `%{NUMBER:f:float}`, "-1.50", `{"f":-1.5}`},
		{"double with exponent", `(?<f:double>\S+)`, "2.5e3", `{"f":2500}`},
		{"bool", `%{WORD:b:bool}`, "TRUE", `{"b":true}`},
		{"boolean words", `%{WORD:b:boolean} %{WORD:c:bool} %{WORD:d:bool}`, "off yes 0", `{"b":false,"c":true,"d":false}`},
		{"ipv4", `%{IP:i:ip}`, "10.1.2.3", `{"i":"10.1.2.3"}`},
		{"ipv6", `%{IP:i:ip}`, "2001:db8::1", `{"i":"2001:db8::1"}`},
		{"timestamp auto", `%{TIMESTAMP_ISO8601:t:timestamp}`, "2024-05-01T10:00:00+02:00", `{"t":"2024-05-01T08:00:00Z"}`},
		{"timestamp in the stream's zone", `%{TIMESTAMP_ISO8601:t:timestamp}`, "2024-05-01 10:00:00", `{"t":"2024-05-01T08:00:00Z"}`},
		{"timestamp rfc3164 takes the year of the reference", `%{SYSLOGTIMESTAMP:t:timestamp(rfc3164)}`, "Jun 14 15:16:01", `{"t":"2024-06-14T13:16:01Z"}`},
		{"timestamp clf", `%{HTTPDATE:t:timestamp(clf)}`, "10/Oct/2000:13:55:36 -0700", `{"t":"2000-10-10T20:55:36Z"}`},
		{"timestamp unix", `%{NUMBER:t:timestamp(unix)}`, "1700000000", `{"t":"2023-11-14T22:13:20Z"}`},
		{"timestamp Go layout", `(?<t:timestamp(02.01.2006 15:04)>[\d.]+ [\d:]+)`, "01.05.2024 10:00", `{"t":"2024-05-01T08:00:00Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.pattern, nil)
			require.NoError(t, err)
			r := match(t, p, tt.line, berlin)
			require.True(t, r.matched)
			require.NoError(t, r.err)
			require.Equal(t, tt.want, r.fields)
		})
	}
}

func TestMatchSpecialFields(t *testing.T) {
	p, err := Compile(`^%{TIMESTAMP_ISO8601:@timestamp} %{GREEDYDATA:message}$`, nil)
	require.NoError(t, err)
	r := match(t, p, "2024-05-01T10:00:00.5Z service started", nil)
	require.True(t, r.matched)
	require.NoError(t, r.err)
	require.Equal(t, "{}", r.fields)
	require.True(t, r.hasTS)
	require.Equal(t, time.Date(2024, 5, 1, 10, 0, 0, 5e8, time.UTC), r.ts)
	require.True(t, r.hasMsg)
	require.Equal(t, "service started", r.message)

	r = match(t, p, "2024-05-01T10:00:00Z ", nil)
	require.True(t, r.matched)
	require.False(t, r.hasMsg, "an empty message capture sets nothing")

	p, err = Compile(`^%{SYSLOGTIMESTAMP:@timestamp:timestamp(rfc3164)} `, nil)
	require.NoError(t, err)
	r = match(t, p, "Dec 31 23:59:59 x", nil)
	require.True(t, r.hasTS)
	require.Equal(t, time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC), r.ts, "the year nearest the reference")
}

func TestMatchConversionErrors(t *testing.T) {
	p, err := Compile(`^(?<n:int>\S+) (?<f:float>\S+) (?<b:bool>\S+) (?<i:ip>\S+) (?<t:timestamp>\S+) (?<@timestamp>\S+) (?<s>\S+)$`, nil)
	require.NoError(t, err)
	r := match(t, p, "x 1e999 maybe fe80::1%eth0 yesterday soon kept", nil)
	require.True(t, r.matched, "the line matched")
	require.Equal(t, `{"s":"kept"}`, r.fields, "the fields that converted are kept")
	require.False(t, r.hasTS)
	require.ErrorIs(t, r.err, ErrConversion)
	require.ErrorIs(t, r.err, ErrTimestamp)
	var fields []string
	for _, e := range r.err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *ConversionError
		require.True(t, errors.As(e, &ce))
		fields = append(fields, ce.Field+"="+ce.Value+":"+ce.Type)
	}
	require.Equal(t, []string{"n=x:int", "f=1e999:float", "b=maybe:bool", "i=fe80::1%eth0:ip",
		"t=yesterday:timestamp", "@timestamp=soon:timestamp"}, fields)
	require.Contains(t, r.err.Error(), `field n: "x" is not a valid int`)

	p, err = Compile(`(?<n:int>\S+)`, nil)
	require.NoError(t, err)
	r = match(t, p, "99999999999999999999", nil)
	require.True(t, r.matched)
	var ce *ConversionError
	require.ErrorAs(t, r.err, &ce)
	require.NotErrorIs(t, r.err, ErrTimestamp)
	require.Equal(t, ConversionError{Field: "n", Type: "int", Value: "99999999999999999999"}, *ce)
}

func TestSet(t *testing.T) {
	s, err := CompileAll([]string{`^%{INT:n:int}$`, `^%{WORD:w}$`, `^%{WORD:x}`}, nil)
	require.NoError(t, err)
	require.Len(t, s.Patterns(), 3)
	for _, tt := range []struct {
		line  string
		index int
		want  string
	}{
		{"42", 0, `{"n":42}`},
		{"abc", 1, `{"w":"abc"}`},
		{"abc def", 2, `{"x":"abc"}`},
		{"!", -1, `{}`},
	} {
		t.Run(tt.line, func(t *testing.T) {
			var d ecs.Document
			i, err := s.Match([]byte(tt.line), &d, nil, received)
			require.NoError(t, err)
			require.Equal(t, tt.index, i)
			require.Equal(t, tt.want, string(d.AppendJSON(nil)))
		})
	}

	_, err = CompileAll([]string{`a`, `%{NOPE}`}, nil)
	var cerr *CompileError
	require.ErrorAs(t, err, &cerr)
	require.Equal(t, 1, cerr.Pattern)
	require.Equal(t, 2, cerr.Offset)
	require.Equal(t, "pattern 1: offset 2: unknown pattern NOPE", err.Error())

	_, err = CompileAll([]string{`a`}, map[string]string{"X": `(`})
	require.ErrorAs(t, err, &cerr)
	require.Equal(t, -1, cerr.Pattern, "found checking the definitions")
	require.Equal(t, "definition X, offset 0: missing )", err.Error())

	_, err = CompileAll(nil, nil)
	require.ErrorAs(t, err, &cerr)
}

func TestPatternAccessors(t *testing.T) {
	p, err := Compile(`%{INT:a} (?<b:int>\d)(x)`, nil)
	require.NoError(t, err)
	require.Equal(t, `%{INT:a} (?<b:int>\d)(x)`, p.String())
	require.Equal(t, []string{"a", "b"}, p.Fields())
	require.Equal(t, `(?P<c0>[+-]?[0-9]+) (?P<c1>\d)(?:x)`, p.Expanded())
}

// TestMatchConcurrent shares one pattern between goroutines; run it with -race.
func TestMatchConcurrent(t *testing.T) {
	p, err := Compile(appPattern, nil)
	require.NoError(t, err)
	lines := appLines(200, 3)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			var d ecs.Document
			for _, l := range lines {
				d.Reset()
				if ok, err := p.Match(l, &d, nil, received); !ok || err != nil {
					errs <- errors.Join(errors.New(string(l)), err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
