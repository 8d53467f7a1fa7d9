package query_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/search/searchtest"
)

func document(t testing.TB, js string) *ecs.Document {
	t.Helper()
	d := &ecs.Document{}
	require.NoError(t, d.MergeJSON([]byte(js)))
	return d
}

// The search suite's query cases hold for Match on documents built from their events.
func TestMatchConformance(t *testing.T) {
	searchtest.RunPredicate(t, func(t *testing.T, q query.Node, source []byte) bool {
		return query.Match(q, document(t, string(source)))
	})
}

const event = `{"@timestamp":"2024-01-31T08:15:02.250Z","event":{"ingested":"2024-01-31T08:15:03Z","dataset":"nginx.error"},` +
	`"message":"Upstream TIMED out: naïve Ǆemal ran e\u0301te, see web-01","host":{"name":"Web-01"},` +
	`"http":{"response":{"status_code":504,"bytes":1.5e3}},"labels":{"id":"4711","flag":true,"none":null,` +
	`"list":["alpha beta",7,false,[8],{"k":"nested"}]},"big":12345678901234567890,"tags":["_parse_failure"]}`

func TestMatch(t *testing.T) {
	d := document(t, event)
	tests := []struct {
		q    string
		want bool
	}{
		{"", true},
		{"timed", true},
		{"upstream", true},
		{"naive", false}, // diacritics are kept
		{"NAÏVE", true},
		{"naïve", true},
		{"ǆemal", true},
		{"ete", false},
		{"tim", false},
		{"tim*", true},
		{"TIM*", true},
		{`"timed out"`, true},
		{`"out timed"`, false},
		{`"timed   out:"`, false}, // a phrase is matched as written
		{`"timed out:"`, true},
		{"=TIMED", true},
		{"=timed", false},
		{"tim*d", true},
		{"*med", true},
		{"*med OR nothing", true},
		{"ti*x", false},
		{"web-01", true},
		{"web", true},
		{"01", true},
		{"alpha", true},
		{`"alpha beta"`, true},
		{"nested", true},
		{"2024", false}, // the times are not words
		{"504", true},   // numbers are
		{"08", false},
		{"nginx", true},
		{"nginx.error", true},
		{"message:timed", true},
		{"message:alpha", false},
		{"message:tim*", true},
		{`message:"timed out"`, true},
		{"host.name:Web-01", true},
		{"host.name:web-01", false},
		{"host.name:Web", false},
		{"host.name:Web*", true},
		{"host.name:web*", false},
		{"http.response.status_code:504", true},
		{"http.response.status_code:504.0", false}, // values compare as text
		{"http.response.status_code:50*", true},
		{"http.response.status_code >= 500", true},
		{"http.response.status_code:[500 TO 504}", false},
		{"http.response.status_code:*", true},
		{"http.response:*", true},
		{"http:*", true},
		{"htt:*", false},
		{`http.response.status_code:"504"`, true},
		{"http.response.bytes:1500", false},
		{"http.response.bytes:1.5e3", true},
		{"http.response.bytes:[1000 TO 2000]", true},
		{"http.response:504", false},
		{"labels.id:4711", true},
		{"labels.id:4711.0", false},
		{"labels.flag:true", true},
		{"labels.flag:false", false},
		{"labels.flag:TRUE", false},
		{"labels.none:null", false},
		{"labels.list:7", true},
		{"labels.list:false", true},
		{"labels.list:8", false},
		{`labels.list:"alpha beta"`, true},
		{"labels.list:alpha", false},
		{"labels.list.k:nested", false},
		{"big:12345678901234567890", true},
		{"big:12345678901234567891", false},
		{"big:[12345678901234567891 TO *]", true}, // both are the same float
		{"tags:_parse_failure", true},
		{"-timed", false},
		{"NOT timed", false},
		{"-missing", true},
		{"-no.such:x", true},
		{"timed -alpha", false},
		{"timed AND host.name:Web-01 and -labels.flag:false", true},
		{`"..."`, false},
		{`-"..."`, true},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			n, err := query.Parse(tt.q)
			require.NoError(t, err)
			require.Equal(t, tt.want, query.Match(n, d))
		})
	}
}

// Trees built by hand: pointers as well as values, and terms the parser would not make.
func TestMatchTrees(t *testing.T) {
	d := document(t, `{"message":"a\u0000b c\u0301","x":"a\u0000b","y":"\ufffd"}`)
	tests := []struct {
		name string
		n    query.Node
		want bool
	}{
		{"nil", nil, true},
		{"pointer term", &query.Term{Value: "b"}, true},
		{"nil pointer", (*query.Term)(nil), false},
		{"pointer and", &query.And{Nodes: []query.Node{&query.Not{Node: &query.Term{Value: "zz"}}}}, true},
		{"empty and", query.And{}, true},
		{"NUL separates words", query.Term{Value: "a\x00b", Phrase: true}, true},
		{"lone diacritic matches nothing", query.Term{Value: "\u0301"}, false},
		{"word of a diacritic", query.Term{Value: "c"}, true},
		{"empty value", query.Term{Value: ""}, false},
		{"NUL in a value", query.Term{Field: "x", Value: "a\x00b"}, true},
		{"prefix with NUL", query.Term{Field: "x", Value: "a\x00zz", Prefix: true}, false},
		{"prefix pattern ends at NUL, string too", query.Term{Field: "x", Value: "a\x00", Prefix: true}, true},
		{"empty prefix", query.Term{Field: "x", Value: "", Prefix: true}, true},
		{"replacement character", query.Term{Field: "y", Value: "\ufffd"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, query.Match(tt.n, d))
		})
	}
}

func TestMatchInvalidUTF8(t *testing.T) {
	d := &ecs.Document{}
	d.SetBytes("x", []byte("a\xffb"))
	d.SetBytes("message", []byte("caf\xc3 ok"))
	for _, tt := range []struct {
		n    query.Node
		want bool
	}{
		{query.Term{Field: "x", Value: "a\ufffdb"}, true},
		{query.Term{Field: "x", Value: "a\ufffd", Prefix: true}, true},
		{query.Term{Field: "x", Value: "ab"}, false},
		{query.Term{Value: "caf"}, false}, // an invalid byte reads as a word character, as in the engine
		{query.Term{Value: "ok"}, true},
	} {
		require.Equal(t, tt.want, query.Match(tt.n, d), "%#v", tt.n)
	}
}

func TestMatchAllocs(t *testing.T) {
	d := document(t, event)
	for _, q := range []string{"timed", `"timed out" -alpha`, "host.name:Web*", "http.response.status_code:504", "nested", "labels.list:7"} {
		n, err := query.Parse(q)
		require.NoError(t, err)
		m := query.Compile(n)
		allocs := testing.AllocsPerRun(100, func() { m.Match(d) })
		require.Zero(t, allocs, q)
	}
}

func BenchmarkMatch(b *testing.B) {
	d := document(b, event)
	for _, q := range []string{"timed", `"web 01"`, "nomatch", "host.name:Web-01", "http.response.status_code:504", "tim* -alpha labels.flag:true"} {
		n, err := query.Parse(q)
		require.NoError(b, err)
		m := query.Compile(n)
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.Match(d)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
