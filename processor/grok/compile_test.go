package grok

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, pattern string
		defs          map[string]string
		offset        int
		def           string // the definition the error is in
		msg           string // part of the message
	}{
		{"empty", ``, nil, 0, "", "empty pattern"},
		{"unknown name", `x %{NOPE:a}`, nil, 4, "", "unknown pattern NOPE"},
		{"unclosed reference", `ab %{INT:x`, nil, 3, "", "missing }"},
		{"empty name", `%{}`, nil, 2, "", "missing pattern name"},
		{"bad name", `%{IN-T}`, nil, 4, "", "only letters"},
		{"empty field", `%{INT:}`, nil, 6, "", "empty field name"},
		{"bad field", `%{INT:a b}`, nil, 7, "", `" " is not a letter`},
		{"empty segment", `%{INT:a..b}`, nil, 8, "", "empty segment"},
		{"leading dot", `%{INT:.a}`, nil, 6, "", "empty segment"},
		{"unknown type", `%{INT:n:integer}`, nil, 8, "", `unknown type "integer"`},
		{"missing type", `%{INT:n:}`, nil, 8, "", "missing type"},
		{"layout on int", `%{INT:n:int(x)}`, nil, 8, "", "takes no layout"},
		{"unclosed layout", `%{DATA:t:timestamp(rfc3339}`, nil, 19, "", "must end the type with ')'"},
		{"bad layout", `%{DATA:t:timestamp(nonsense)}`, nil, 19, "", "neither a format name"},
		{"timestamp typed int", `%{INT:@timestamp:int}`, nil, 17, "", "@timestamp takes type timestamp"},
		{"message typed int", `%{INT:message:int}`, nil, 14, "", "message takes type string"},
		{"bad group field", `a(?<x y>b)`, nil, 5, "", `" " is not a letter`},
		{"bad group type", `(?P<n:num>\d+)`, nil, 6, "", `unknown type "num"`},
		{"unclosed group name", `(?<abc`, nil, 0, "", "missing >"},
		{"lookahead", `a(?=b)`, nil, 1, "", "lookahead is not supported"},
		{"lookbehind", `a(?<!b)`, nil, 1, "", "lookbehind is not supported"},
		{"atomic", `(?>a)`, nil, 0, "", "atomic group"},
		{"back reference", `(?P<a>x)(?P=a)`, nil, 8, "", "back reference"},
		{"unmatched close", `ab)c`, nil, 2, "", "unmatched )"},
		{"unclosed open", `a(b(c)`, nil, 1, "", "missing )"},
		{"unclosed class", `a[bc`, nil, 1, "", "missing ]"},
		{"trailing backslash", `ab\`, nil, 2, "", "trailing backslash"},
		{"bad escape", `%{INT} \q`, nil, 7, "", "invalid escape sequence"},
		{"bad repeat", `%{WORD}a**`, nil, 8, "", "invalid nested repetition operator"},
		{"missing repeat argument", `a*(*)`, nil, 3, "", "missing argument to repetition operator"},
		{"bad repeat size", `%{INT}{2000}`, nil, 6, "", "invalid repeat count"},
		{"bad range", `%{INT} [z-a]`, nil, 8, "", "invalid character class range"},
		{"bad flags", `x(?z)`, nil, 1, "", "invalid or unsupported Perl syntax"},
		{"invalid UTF-8", "ab\xffc", nil, 2, "", "invalid UTF-8"},
		{"too long", strings.Repeat("a", MaxPatternLen+1), nil, MaxPatternLen, "", "longer than"},
		{"too many captures", strings.Repeat("(?<a>x)", MaxCaptures+1), nil, 7 * MaxCaptures, "", "more than 128 captures"},
		{"error in a definition", `%{MINE:x}`, map[string]string{"MINE": `%{INT} (%{NOPE}`}, 10, "MINE", "unknown pattern NOPE"},
		{"syntax error in a definition", `%{MINE}`, map[string]string{"MINE": `ab\pX`}, 2, "MINE", "invalid character class range"},
		{"unused definition checked", `a`, map[string]string{"UNUSED": `x)`}, 1, "UNUSED", "unmatched )"},
		{"cycle", `%{A}`, map[string]string{"A": `a%{B}`, "B": `b%{A}`}, 3, "B", "A -> B -> A"},
		{"self reference", `x%{A}`, map[string]string{"A": `a|%{A}`}, 4, "A", "A -> A"},
		{"cycle through the library", `%{USERNAME}`, map[string]string{"USERNAME": `%{USER}`}, 2, "USERNAME", "in library pattern USER"},
		{"bad definition name", `a`, map[string]string{"A-B": `x`}, 0, "A-B", "definition name"},
		{"too deep", `%{D0}`, deepDefs(MaxDepth + 1), 2, "D31", "nest deeper than 32"},
		{"exponential", `%{E0}`, exponentialDefs(24), 6, "E10", "expands to more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.pattern, tt.defs)
			require.Error(t, err)
			var cerr *CompileError
			require.True(t, errors.As(err, &cerr), "%T %v", err, err)
			require.Contains(t, cerr.Msg, tt.msg)
			require.Equal(t, tt.def, cerr.Definition, "%v", err)
			require.Equal(t, tt.offset, cerr.Offset, "%v", err)
			text := tt.pattern
			if tt.def != "" {
				text = tt.defs[tt.def]
			}
			require.LessOrEqual(t, cerr.Offset, len(text))
			require.NotContains(t, err.Error(), "pattern 0", "Compile has one pattern")
		})
	}
}

// deepDefs returns n definitions, each referring to the next.
func deepDefs(n int) map[string]string {
	defs := map[string]string{}
	for i := range n {
		defs[name("D", i)] = "%{" + name("D", i+1) + "}"
	}
	defs[name("D", n)] = "x"
	return defs
}

// exponentialDefs returns n definitions, each holding the next twice.
func exponentialDefs(n int) map[string]string {
	defs := map[string]string{}
	for i := range n {
		defs[name("E", i)] = "%{" + name("E", i+1) + "}%{" + name("E", i+1) + "}"
	}
	defs[name("E", n)] = "abcdefgh"
	return defs
}

func name(prefix string, i int) string { return prefix + strconv.Itoa(i) }
