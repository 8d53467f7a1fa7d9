package grok

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireSameAsRegexp checks the engine against Go's regexp on one input.
func requireSameAsRegexp(t *testing.T, expr string, input []byte) {
	t.Helper()
	re, err := regexp.Compile(expr)
	if err != nil {
		return
	}
	e, err := newEngine(expr, re)
	require.NoError(t, err)
	m := e.machine()
	want := re.FindSubmatchIndex(input)
	got := e.match(input, m)
	require.Equal(t, want != nil, got, "%q on %q", expr, input)
	if got {
		require.Equal(t, want, m.caps, "%q on %q", expr, input)
	}
}

func TestEngineMatchesRegexp(t *testing.T) {
	exprs := []string{
		`a`, `abc`, `^abc$`, `a*`, `a+`, `a*?`, `a+?b`, `(a*)*`, `(a*)+b`, `(a|ab)(c|bcd)(d*)`,
		`\S+ \S+`, `(\S+) +(\w+)`, `^(\S+) (.*?) (\d+)$`, `(?s:.*)x`, `.*?x`, `\bfoo\b`, `\Bo\B`,
		`(?i)k`, `(?i)straße`, `[^a]+`, `[\x{80}-\x{10FFFF}]+`, `[^\x{FFFD}]+`, `\x{FFFD}`, `é+`, `(?m)^b$`,
		`(a?)*?b`, `(?:(a)|b)*`, `x*y*z*`, `(?U)a+`, `[[:alpha:]]+`, `\pL+`, `(|a)*`, `(a|)+b`,
		`(\d+)\.(\d+)\.(\d+)\.(\d+)`, `"(?:[^"\\]|\\.)*"`, `^$`, `$`, `\A`, `(?:ab)*c`, `a{2,3}`,
	}
	inputs := []string{"", "a", "aaa", "abc", "abcd", "xabcx", "foo bar", "  aa bb", "ab 12 34",
		"x y 12", "\nb\n", "straSSe", "\u212a", "é é", "\xff\xfe", "a\xffb", "é\x80", "\xe2\x82",
		`"a\"b" "c"`, "1.2.3.4", "aab", "ababc", "foo.bar", "\xed\xa0\x80x"}
	for _, expr := range exprs {
		for _, in := range inputs {
			requireSameAsRegexp(t, expr, []byte(in))
		}
	}
}

// FuzzEngine checks the engine against Go's regexp: the same match and the same captures.
func FuzzEngine(f *testing.F) {
	for _, s := range [][2]string{
		{`(\S+) +(\w+)`, "foo  bar"}, {`(a|ab)(c|bcd)(d*)`, "abcd"}, {`(?s:.*?)(x+)`, "aaxxa\nx"},
		{`\b(\d+)\b`, "a12 34"}, {`[^a]*(é)`, "b\xffé"}, {`(a*)*b`, "aaab"}, {`(?i)(k+)`, "k\u212aK"},
		{`"((?:[^"\\]|\\.)*)"`, `"a\"b"`}, {`^(\w+)=(.*?)(?:,|$)`, "k=v,w=x"},
	} {
		f.Add(s[0], []byte(s[1]))
	}
	for _, s := range [][2]string{
		{`%{IPORHOST:h} %{QS:q} %{NUMBER:n}`, `::1 "a b" 1.5`},
		{`^%{SYSLOGBASE} %{DATA:m}$`, "Dec 10 06:55:46 LabSZ sshd[24200]: x"},
		{`%{TIMESTAMP_ISO8601:t} +%{LOGLEVEL:l} %{URI:u}`, "2024-05-01 10:00:00Z  WARN http://a/b?c"},
	} {
		p, err := Compile(s[0], nil)
		require.NoError(f, err)
		f.Add(p.Expanded(), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, expr string, input []byte) {
		if len(expr) > 4000 || len(input) > 1000 {
			return
		}
		requireSameAsRegexp(t, expr, input)
	})
}

// TestEngineLongInput takes an input whose memo would be too large, which goes to regexp.
func TestEngineLongInput(t *testing.T) {
	expr := `(\w+)=(\S*?)(?:,|$)`
	re := regexp.MustCompile(expr)
	e, err := newEngine(expr, re)
	require.NoError(t, err)
	input := []byte(strings.Repeat("ab,", maxMemoBits/e.nslots/3) + "key=value")
	require.Greater(t, e.nslots*(len(input)+1), maxMemoBits)
	requireSameAsRegexp(t, expr, input)
	requireSameAsRegexp(t, expr, input[:1000])
}
