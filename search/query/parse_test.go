package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func word(v string) Term   { return Term{Value: v} }
func phrase(v string) Term { return Term{Value: v, Phrase: true} }

var parseCases = []struct {
	name string
	in   string
	want Node
}{
	{"empty", "", nil},
	{"blank", " \t\n ", nil},
	{"word", "timeout", word("timeout")},
	{"word with punctuation", "10.0.0.1", word("10.0.0.1")},
	{"unicode word", "Grüße", word("Grüße")},
	{"backslash is literal in a word", `C\Windows`, word(`C\Windows`)},
	{"words are ANDed", "failed password", And{Nodes: []Node{word("failed"), word("password")}}},
	{"explicit AND", "failed AND password", And{Nodes: []Node{word("failed"), word("password")}}},
	{"lowercase and", "failed and password", And{Nodes: []Node{word("failed"), word("password")}}},
	{"phrase", `"invalid user"`, phrase("invalid user")},
	{"phrase escapes", `"say \"hi\" \\ bye"`, phrase(`say "hi" \ bye`)},
	{"other backslashes stay", `"C:\Windows\n"`, phrase(`C:\Windows\n`)},
	{"phrase keeps operators", `"a OR b (c)"`, phrase("a OR b (c)")},
	{"prefix", "upstr*", Term{Value: "upstr", Prefix: true}},
	{"minus negates", "-healthz", Not{Node: word("healthz")}},
	{"NOT negates", "NOT healthz", Not{Node: word("healthz")}},
	{"lowercase not", "not healthz", Not{Node: word("healthz")}},
	{"double negation", "--x", Not{Node: Not{Node: word("x")}}},
	{"NOT minus", "NOT -x", Not{Node: Not{Node: word("x")}}},
	{"negated phrase", `-"a b"`, Not{Node: phrase("a b")}},
	{"dash inside word", "web-01", word("web-01")},
	{"field", "host.name:web-01", Term{Field: "host.name", Value: "web-01"}},
	{"field number", "http.response.status_code:404", Term{Field: "http.response.status_code", Value: "404"}},
	{"field space after colon", "host.name:   web-01", Term{Field: "host.name", Value: "web-01"}},
	{"field quoted", `user_agent.original:"kube-probe/1.29"`, Term{Field: "user_agent.original", Value: "kube-probe/1.29", Phrase: true}},
	{"field space then quoted", `message: "a b"`, Term{Field: "message", Value: "a b", Phrase: true}},
	{"field empty quoted", `labels.x:""`, Term{Field: "labels.x", Phrase: true}},
	{"field prefix", "url.path:/api*", Term{Field: "url.path", Value: "/api", Prefix: true}},
	{"field value keeps colons", "url.full:http://x:8080/", Term{Field: "url.full", Value: "http://x:8080/"}},
	{"field value may start with dash", "x: -1", Term{Field: "x", Value: "-1"}},
	{"field value may be a keyword", "x:AND", Term{Field: "x", Value: "AND"}},
	{"at field", "@timestamp:2024", Term{Field: "@timestamp", Value: "2024"}},
	{"negated field", "-tags:_parse_failure", Not{Node: Term{Field: "tags", Value: "_parse_failure"}}},
	{"OR", "a OR b", Or{Nodes: []Node{word("a"), word("b")}}},
	{"lowercase or", "a or b", Or{Nodes: []Node{word("a"), word("b")}}},
	{"OR chain", "a OR b OR c", Or{Nodes: []Node{word("a"), word("b"), word("c")}}},
	{"AND binds tighter", "a b OR c", Or{Nodes: []Node{And{Nodes: []Node{word("a"), word("b")}}, word("c")}}},
	{"AND binds tighter on the right", "a OR b AND c", Or{Nodes: []Node{word("a"), And{Nodes: []Node{word("b"), word("c")}}}}},
	{"parentheses group", "(a OR b) c", And{Nodes: []Node{Or{Nodes: []Node{word("a"), word("b")}}, word("c")}}},
	{"parentheses without spaces", "(a)(b)", And{Nodes: []Node{word("a"), word("b")}}},
	{"nested parentheses", "((a))", word("a")},
	{"negated group", "-(a OR b)", Not{Node: Or{Nodes: []Node{word("a"), word("b")}}}},
	{"NOT before a group", "NOT(a b)", Not{Node: And{Nodes: []Node{word("a"), word("b")}}}},
	{"fields in a group", "(host.name:a OR host.name:b) -x",
		And{Nodes: []Node{Or{Nodes: []Node{Term{Field: "host.name", Value: "a"}, Term{Field: "host.name", Value: "b"}}}, Not{Node: word("x")}}}},
	{"OR of groups", "(a b) OR (c -d)", Or{Nodes: []Node{And{Nodes: []Node{word("a"), word("b")}}, And{Nodes: []Node{word("c"), Not{Node: word("d")}}}}}},
	{"leading wildcard", "*rror", Term{Value: "*rror", Wildcard: true}},
	{"inner wildcard", "fo*o", Term{Value: "fo*o", Wildcard: true}},
	{"stars collapse", "fo**o**", Term{Value: "fo*o*", Wildcard: true}},
	{"double star prefix", "ab**", Term{Value: "ab", Prefix: true}},
	{"field wildcard", "host.name:web-*-01", Term{Field: "host.name", Value: "web-*-01", Wildcard: true}},
	{"exists", "user.name:*", Exists{Field: "user.name"}},
	{"exists after space", "user.name: *", Exists{Field: "user.name"}},
	{"case-sensitive word", "=Error", Term{Value: "Error", Case: true}},
	{"case-sensitive phrase", `="Connection refused"`, Term{Value: "Connection refused", Phrase: true, Case: true}},
	{"case-sensitive prefix", "=Err*", Term{Value: "Err", Prefix: true, Case: true}},
	{"case-sensitive message", "message:=Error", Term{Field: "message", Value: "Error", Case: true}},
	{"equals on a field is exact", "host.name:=web", Term{Field: "host.name", Value: "web"}},
	{"cidr", "source.ip:10.0.0.0/8", IPRange{Field: "source.ip", CIDR: "10.0.0.0/8"}},
	{"cidr v6", "source.ip:2001:db8::/32", IPRange{Field: "source.ip", CIDR: "2001:db8::/32"}},
	{"quoted cidr is a value", `source.ip:"10.0.0.0/8"`, Term{Field: "source.ip", Value: "10.0.0.0/8", Phrase: true}},
	{"path is no cidr", "url.path:/api/v1", Term{Field: "url.path", Value: "/api/v1"}},
	{"greater or equal", "status >= 500", Range{Field: "status", Min: "500"}},
	{"greater without spaces", "status>500", Range{Field: "status", Min: "500", MinExcl: true}},
	{"less after colon", "bytes:<1000", Range{Field: "bytes", Max: "1000", MaxExcl: true}},
	{"less or equal after colon and space", "bytes: <= 1000", Range{Field: "bytes", Max: "1000"}},
	{"bracket range", "bytes:[1000 TO 5000]", Range{Field: "bytes", Min: "1000", Max: "5000"}},
	{"exclusive range", "bytes:{1000 TO 5000}", Range{Field: "bytes", Min: "1000", Max: "5000", MinExcl: true, MaxExcl: true}},
	{"open range", "n:[-1.5 TO *}", Range{Field: "n", Min: "-1.5", MaxExcl: true}},
	{"time range", "@timestamp:[2024-01-31 TO 2024-02-01T12:00:00Z}",
		Range{Field: "@timestamp", Min: "2024-01-31", Max: "2024-02-01T12:00:00Z", MaxExcl: true}},
	{"time comparison", "@timestamp < 2024-02-01T00:00:00.5+01:00", Range{Field: "@timestamp", Max: "2024-02-01T00:00:00.5+01:00", MaxExcl: true}},
	{"range in a group", "(bytes:[1 TO 2]) x", And{Nodes: []Node{Range{Field: "bytes", Min: "1", Max: "2"}, word("x")}}},
	{"angle word stays a word", "<html>", word("<html>")},
	{"field word then angle word", "status <html>", And{Nodes: []Node{word("status"), word("<html>")}}},
	{"field word then word", "status ok", And{Nodes: []Node{word("status"), word("ok")}}},
	{"combination", `event.dataset:nginx.access AND -url.path:/healthz "timed out"`, And{Nodes: []Node{
		Term{Field: "event.dataset", Value: "nginx.access"},
		Not{Node: Term{Field: "url.path", Value: "/healthz"}},
		phrase("timed out"),
	}}},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		offset int
		msg    string
	}{
		{"leading OR", "OR a", 0, "OR needs a term on its left"},
		{"trailing OR", "a OR ", 2, "OR needs a term on its right"},
		{"OR OR", "a OR OR b", 5, "OR needs a term on its left"},
		{"AND OR", "a AND OR b", 2, "AND needs a term on its right"},
		{"OR before a parenthesis", "(a OR)", 3, "OR must stand between two terms"},
		{"unclosed parenthesis", "a (b", 2, "'(' without a ')'"},
		{"empty parentheses", "main()", 4, "empty parentheses"},
		{"parenthesis after field", "x:(a)", 2, "parentheses cannot hold a field's values"},
		{"parenthesis after phrase", `"a")`, 3, "')' without a '('"},
		{"closing parenthesis first", ") a", 0, "')' without a '('"},
		{"NOT before a closing parenthesis", "(a NOT)", 3, "NOT needs a term"},
		{"leading AND", "AND a", 0, "left"},
		{"trailing AND", "a AND ", 2, "right"},
		{"AND AND", "a AND AND b", 6, "between two terms"},
		{"trailing NOT", "a NOT", 2, "NOT needs a term"},
		{"lone minus", "a - b", 2, "'-' must be followed"},
		{"trailing minus", "a -", 2, "'-' must be followed"},
		{"unterminated", `a "b c`, 2, "unterminated"},
		{"escaped last quote", `"b\"`, 0, "unterminated"},
		{"empty phrase", `""`, 0, "empty phrase"},
		{"quote inside word", `ab"c"`, 2, "quote the whole value"},
		{"text after phrase", `"a"b`, 3, "space after the closing quote"},
		{"bad field", "12:30:45", 0, "not a field name"},
		{"empty field segment", "a..b:c", 0, "not a field name"},
		{"field without value", "host.name:", 0, "needs a value"},
		{"field without value before space", "host.name:  ", 0, "needs a value"},
		{"lone star", "*", 0, "an empty query matches every event"},
		{"stars", "-**", 1, "an empty query matches every event"},
		{"range without TO", "bytes:[1 5]", 9, "[min TO max]"},
		{"range without closing", "bytes:[1 TO 5", 6, "closing"},
		{"range of words", "bytes:[a TO 5]", 7, "take numbers"},
		{"range of times off @timestamp", "x:[2024-01-01 TO *]", 3, "times compare on @timestamp only"},
		{"@timestamp takes times", "@timestamp >= 5", 11, "take times"},
		{"comparison without value", "status >=", 7, "needs a number or a time"},
		{"comparison of a word", "status>abc", 0, "take numbers"},
		{"text after range", "x:[1 TO 2]y", 10, "space after the range"},
		{"equals alone", "= a", 0, "'=' must be followed"},
		{"equals before a group", "=(a)", 1, "'=' must be followed"},
		{"invalid UTF-8", "ab\xffc", 2, "invalid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Parse(tc.in)
			require.Nil(t, n)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			require.True(t, errors.Is(err, ErrSyntax))
			require.Equal(t, tc.offset, se.Offset, "error: %v", err)
			require.Contains(t, se.Msg, tc.msg)
		})
	}
}

func TestParseLimits(t *testing.T) {
	many := make([]byte, 0, 2*(MaxTerms+1))
	for range MaxTerms + 1 {
		many = append(many, "x "...)
	}
	_, err := Parse(string(many))
	require.ErrorContains(t, err, "too many terms")

	_, err = Parse(string(many[:2*MaxTerms]))
	require.NoError(t, err)

	deep := make([]byte, 0, MaxNegations+2)
	for range MaxNegations + 1 {
		deep = append(deep, '-')
	}
	_, err = Parse(string(append(deep, 'x')))
	require.ErrorContains(t, err, "too many negations")

	_, err = Parse(string(append(deep[:MaxNegations], 'x')))
	require.NoError(t, err)

	nest := func(n int) string {
		return strings.Repeat("(", n) + "x" + strings.Repeat(")", n)
	}
	_, err = Parse(nest(MaxDepth + 1))
	require.ErrorContains(t, err, "nest too deep")
	_, err = Parse(nest(MaxDepth))
	require.NoError(t, err)

	alternatives := strings.Repeat("x OR ", MaxTerms) + "x"
	_, err = Parse(alternatives)
	require.ErrorContains(t, err, "too many terms", "terms count across OR")
}
