package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

const nastyDoc = `{"@timestamp":"2024-01-01T12:00:00Z","message":"it's a \"quoted\" NEAR(a b) col:val *star* ^caret {x y} ' OR 1=1; --",` +
	`"labels":{"q":"100%_done","glob":"a*b?c[d]","quote":"say \"hi\"","sql":"'; DROP TABLE events; --","flag":true}}`

func word(v string) query.Term      { return query.Term{Value: v} }
func field(f, v string) query.Term  { return query.Term{Field: f, Value: v} }
func prefix(f, v string) query.Term { return query.Term{Field: f, Value: v, Prefix: true} }

var nastyCases = []struct {
	name  string
	q     query.Node
	match bool
}{
	{"quotes", word(`"quoted"`), true},
	{"FTS5 NEAR", word("NEAR(a b)"), true},
	{"FTS5 column filter", word("col:val"), true},
	{"FTS5 stars", word("*star*"), true},
	{"FTS5 caret", word("^caret"), true},
	{"FTS5 braces", word("{x y}"), true},
	{"SQL in a word", word("' OR 1=1; --"), true},
	{"FTS5 OR in a quote", word(`nomatch" OR "quoted`), false},
	{"message OR in a quote", query.Term{Field: "message", Value: `x" OR "quoted`}, false},
	{"NUL", word("\x00"), false},
	{"only a quote", word(`"`), false},
	{"not nothing", query.Not{Node: word(`"`)}, true},
	{"LIKE wildcards are plain", field("labels.q", "100%_done"), true},
	{"prefix with LIKE wildcards", prefix("labels.q", "100%_"), true},
	{"underscore is no wildcard", prefix("labels.q", "1_0"), false},
	{"percent is no wildcard", prefix("labels.q", "%"), false},
	{"GLOB wildcards are plain", field("labels.glob", "a*b?c[d]"), true},
	{"prefix with GLOB wildcards", prefix("labels.glob", "a*b?"), true},
	{"question mark is no wildcard", prefix("labels.glob", "a?"), false},
	{"quote in a value", field("labels.quote", `say "hi"`), true},
	{"SQL in a value", field("labels.sql", "'; DROP TABLE events; --"), true},
	{"SQL after a value", field("labels.q", "100%_done' OR '1'='1"), false},
	{"boolean", field("labels.flag", "true"), true},
	{"other boolean", field("labels.flag", "false"), false},
	{"pointers", &query.And{Nodes: []query.Node{&query.Term{Value: "caret"}, &query.Not{Node: &query.Term{Value: "absent"}}}}, true},
}

// Every value reaches SQLite as a bound parameter and FTS5 as a quoted string, so
// operators in user text match as words, and nothing else.
func TestNastyInput(t *testing.T) {
	b := open(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ctx := testContext(t)
	ts := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, b.Write(ctx, "trolly-acme-2024.01.01", []search.Doc{{ID: "n1", Timestamp: ts, Source: []byte(nastyDoc)}}))

	for _, tc := range nastyCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := b.Search(ctx, search.Request{Tenant: "acme", Query: tc.q, Limit: 10})
			require.NoError(t, err)
			want := int64(0)
			if tc.match {
				want = 1
			}
			require.Equal(t, want, res.Total)
		})
	}
	for _, f := range []string{`labels.x") OR 1=1 --`, `a"b`, `a\b`, "a..b", "a.", "a\x00b"} {
		t.Run("field "+f, func(t *testing.T) {
			_, err := b.Search(ctx, search.Request{Tenant: "acme", Query: query.Term{Field: f, Value: "x"}, Limit: 10})
			require.ErrorIs(t, err, errBadQuery)
		})
	}
	res, err := b.Search(ctx, search.Request{Tenant: "acme", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Total, "the table is intact")
}

// Queries at the parser's limits stay within SQLite's and FTS5's expression depths.
func TestLargeQueries(t *testing.T) {
	b := open(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ctx := testContext(t)
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, b.Write(ctx, "trolly-acme-2024.01.01", []search.Doc{
		{ID: "1", Timestamp: ts, Source: []byte(`{"message":"w","x":{"y":"1"}}`)}}))
	deepNot := strings.Repeat("-", query.MaxNegations) + "w"
	for _, q := range []string{
		strings.Repeat("w ", query.MaxTerms),
		strings.Repeat("x.y:1 ", query.MaxTerms),
		strings.Repeat("-zz ", query.MaxTerms),
		strings.Repeat("w -x.y:2 ", query.MaxTerms/2),
		strings.Repeat(deepNot+" ", query.MaxTerms),
	} {
		n, err := query.Parse(q)
		require.NoError(t, err)
		res, err := b.Search(ctx, search.Request{Tenant: "acme", Query: n, Limit: 10})
		require.NoError(t, err, q[:20])
		require.Equal(t, int64(1), res.Total, q[:20])
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Any text, as a word, a phrase, a prefix, a field value or a whole query, runs without
// error against a real index and leaves it intact.
func FuzzSearch(f *testing.F) {
	for _, tc := range nastyCases {
		if t, ok := tc.q.(query.Term); ok {
			f.Add(t.Value)
		}
	}
	f.Add(`message:"a b" -c* x.y:1`)
	b := open(f, f.TempDir())
	defer b.Close()
	ctx := context.Background()
	ts := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(f, b.Write(ctx, "trolly-acme-2024.01.01", []search.Doc{{ID: "n1", Timestamp: ts, Source: []byte(nastyDoc)}}))
	f.Fuzz(func(t *testing.T, s string) {
		nodes := []query.Node{
			word(s), query.Term{Value: s, Phrase: true}, query.Term{Value: s, Prefix: true},
			query.Term{Field: "message", Value: s}, field("labels.q", s), prefix("labels.glob", s),
			query.And{Nodes: []query.Node{word(s), query.Not{Node: field("labels.sql", s)}}},
		}
		if n, err := query.Parse(s); err == nil {
			nodes = append(nodes, n)
		}
		for _, n := range nodes {
			res, err := b.Search(ctx, search.Request{Tenant: "acme", Query: n, Limit: 1})
			if errors.Is(err, errBadQuery) {
				continue // a field name the parser would not accept
			}
			require.NoError(t, err, "%#v", n)
			require.LessOrEqual(t, res.Total, int64(1))
		}
		res, err := b.Search(ctx, search.Request{Tenant: "acme"})
		require.NoError(t, err)
		require.Equal(t, int64(1), res.Total, "the index is intact")
	})
}
