package grok

import (
	"bytes"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

// FuzzCompile compiles any pattern with one definition: an error is a *CompileError whose
// offset lies in the text it names, and a pattern that compiles is a valid regexp.
func FuzzCompile(f *testing.F) {
	for _, s := range [][2]string{
		{`%{IPORHOST:source.address} %{NUMBER:http.response.status_code:int}`, `x`},
		{`(?<a.b:timestamp(rfc3339)>\S+) %{MINE}`, `%{INT}|%{MINE}`},
		{`%{MINE:x:float}`, `(?<y>[a-z]+)\Q(`},
		{`[%{]\%{(?P<x>a)(?i:b)(?=c)`, `%{`},
		{`%{COMBINEDAPACHELOG}`, `%{MINE`},
		{`a(b`, `(?<@timestamp:int>1)`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, def string) {
		defs := map[string]string{"MINE": def}
		p, err := Compile(pattern, defs)
		if err != nil {
			var cerr *CompileError
			require.True(t, errors.As(err, &cerr), "%T %v", err, err)
			text := pattern
			if cerr.Definition != "" {
				require.Equal(t, "MINE", cerr.Definition, "%v", err)
				text = def
			}
			require.GreaterOrEqual(t, cerr.Offset, 0, "%v", err)
			require.LessOrEqual(t, cerr.Offset, len(text), "%v", err)
			return
		}
		_, err = regexp.Compile(p.Expanded())
		require.NoError(t, err)
		for _, path := range p.Fields() {
			require.Nil(t, checkPath(path))
		}
	})
}

// fuzzPatterns are the patterns FuzzMatch runs: library composites, typed captures and
// lazy and greedy loops.
var fuzzPatterns = []string{
	`^%{COMBINEDAPACHELOG}`,
	`^%{SYSLOGBASE} %{GREEDYDATA:message}`,
	appPattern,
	`%{IP:source.ip:ip}(?::%{POSINT:source.port:int})? %{QS:q} (?<b:bool>\w+) (?<f:float>\S+)`,
	`(?<@timestamp>\S+ \S+) %{DATA:message}$`,
	`%{URI:url.original} %{HOSTPORT:h} %{UUID:id} %{MAC:mac} %{EMAILADDRESS:email}`,
}

// FuzzMatch runs fixed patterns over any line: the engine agrees with Go's regexp, captures
// lie within the line, the document is valid JSON, and only a matched line has fields or
// errors, which are conversion errors.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		`::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "curl/8.0"`,
		"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\r",
		string(appLines(1, 1)[0]),
		`10.0.0.1:8080 "a \"b\"" yes 1.5e3`,
		`::1 "x" maybe NaN`,
		"2024-05-01 10:00:00 hello\nworld",
		"http://u:p@h:1/a?b h:2 123e4567-e89b-12d3-a456-426614174000 01:23:45:67:89:ab a@b.c",
		"\xff\xfe \xc3\xa9",
	} {
		f.Add([]byte(s))
	}
	patterns := make([]*Pattern, len(fuzzPatterns))
	regexps := make([]*regexp.Regexp, len(fuzzPatterns))
	for i, expr := range fuzzPatterns {
		p, err := Compile(expr, nil)
		require.NoError(f, err)
		patterns[i], regexps[i] = p, regexp.MustCompile(p.Expanded())
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for i, p := range patterns {
			want := regexps[i].FindSubmatchIndex(line)
			m := p.eng.machine()
			got := p.eng.match(line, m)
			require.Equal(t, want != nil, got, "pattern %d", i)
			if got {
				require.Equal(t, want, m.caps, "pattern %d", i)
			}
			for k := 0; k+1 < len(m.caps) && got; k += 2 {
				lo, hi := m.caps[k], m.caps[k+1]
				require.True(t, lo == -1 && hi == -1 || 0 <= lo && lo <= hi && hi <= len(line))
			}
			var d ecs.Document
			matched, err := p.Match(line, &d, time.UTC, received)
			require.Equal(t, got, matched)
			out := d.AppendJSON(nil)
			require.NoError(t, ecstest.Check(out), "%s", out)
			msg, hasMsg := d.Message()
			_, hasTS := d.Timestamp()
			if !matched {
				require.NoError(t, err)
				require.Equal(t, "{}", string(out))
				require.False(t, hasMsg || hasTS)
				continue
			}
			if err != nil {
				require.ErrorIs(t, err, ErrConversion)
			}
			if hasMsg {
				require.True(t, bytes.Contains(line, msg))
			}
		}
	})
}
