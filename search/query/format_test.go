package query

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFormat(t *testing.T) {
	cases := []struct {
		name string
		in   Node
		want string
	}{
		{"nil", nil, ""},
		{"word", word("timeout"), "timeout"},
		{"phrase escapes", phrase(`say "hi" \ bye`), `"say \"hi\" \\ bye"`},
		{"prefix", Term{Value: "upstr", Prefix: true}, "upstr*"},
		{"field", Term{Field: "host.name", Value: "web-01"}, "host.name:web-01"},
		{"field keeps keyword bare", Term{Field: "x", Value: "AND"}, "x:AND"},
		{"field empty phrase", Term{Field: "x", Phrase: true}, `x:""`},
		{"not", Not{Node: word("a")}, "-a"},
		{"and", And{Nodes: []Node{word("a"), Not{Node: phrase("b c")}}}, `a -"b c"`},
		{"pointers", &And{Nodes: []Node{&Term{Value: "a"}, &Not{Node: &Term{Value: "b"}}}}, "a -b"},
		{"nested and is parenthesised", Not{Node: And{Nodes: []Node{word("a"), word("b")}}}, "-(a b)"},
		{"or", Or{Nodes: []Node{word("a"), word("b")}}, "a OR b"},
		{"or in and is parenthesised", And{Nodes: []Node{Or{Nodes: []Node{word("a"), word("b")}}, word("c")}}, "(a OR b) c"},
		{"and in or is bare", Or{Nodes: []Node{And{Nodes: []Node{word("a"), word("b")}}, word("c")}}, "a b OR c"},
		{"or in or is parenthesised", Or{Nodes: []Node{Or{Nodes: []Node{word("a"), word("b")}}, word("c")}}, "(a OR b) OR c"},
		{"not of or", Not{Node: Or{Nodes: []Node{word("a"), word("b")}}}, "-(a OR b)"},
		{"or pointer", &Or{Nodes: []Node{&Term{Value: "a"}, word("b")}}, "a OR b"},
		{"keyword value is quoted", word("and"), `"and"`},
		{"dash value is quoted", word("-x"), `"-x"`},
		{"colon value is quoted", word("a:b"), `"a:b"`},
		{"space value is quoted", word("a b"), `"a b"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Format(tc.in))
			if tc.in != nil {
				require.Equal(t, tc.want, tc.in.(interface{ String() string }).String())
			}
		})
	}
}

func TestFormatRoundTrip(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Parse(tc.in)
			require.NoError(t, err)
			again, err := Parse(Format(n))
			require.NoError(t, err, "formatted as %q", Format(n))
			require.Equal(t, n, again)
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	for _, s := range []string{`a OR b`, `(a)`, `"unterminated`, `x:`, `*`, "\xff", `--x`, `a\"b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			require.True(t, se.Offset >= 0 && se.Offset <= len(s), "offset %d out of range", se.Offset)
			return
		}
		text := Format(n)
		again, err := Parse(text)
		require.NoError(t, err, "%q formatted as %q", s, text)
		require.Equal(t, n, again, "%q formatted as %q", s, text)
	})
}
