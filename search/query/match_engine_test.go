package query_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/search/vlogs"
)

// Match is checked against the embedded search engine itself: the same documents are
// indexed, and every query must find exactly the documents Match accepts.

// index is the one index the comparisons use.
const index = "trolly-acme-2024.01.01"

// oracle is an embedded index holding docs, and the documents Match reads.
type oracle struct {
	b    *vlogs.Backend
	docs []*ecs.Document
}

func newOracle(t testing.TB, sources ...string) *oracle {
	// a class of a century: the engine drops what its retention no longer keeps
	b, err := vlogs.Open(vlogs.Config{Dir: t.TempDir(), Classes: []int{36500}},
		func(context.Context, string) (int, error) { return 7, nil })
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	o := &oracle{b: b}
	var docs []search.Doc
	for i, src := range sources {
		d := document(t, src)
		ts := time.Date(2024, 1, 1, 12, i, 0, 0, time.UTC)
		d.SetTime("@timestamp", ts)
		o.docs = append(o.docs, d)
		docs = append(docs, search.Doc{ID: fmt.Sprint(i), Timestamp: ts, Source: d.AppendJSON(nil)})
	}
	require.NoError(t, b.Write(context.Background(), index, docs))
	return o
}

// compare fails unless the index and Match find the same documents for n.
func (o *oracle) compare(t testing.TB, n query.Node) {
	t.Helper()
	res, err := o.b.Search(context.Background(), search.Request{Tenant: "acme", Query: n, Limit: len(o.docs),
		From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err, "%#v", n)
	want := []string{}
	for _, h := range res.Hits {
		want = append(want, h.ID)
	}
	slices.Sort(want)
	got := []string{}
	m := query.Compile(n)
	for i, d := range o.docs {
		if m.Match(d) {
			got = append(got, fmt.Sprint(i))
		}
	}
	require.Equal(t, want, got, "query %#v (%s)", n, query.Format(n))
}

// The documents cover what the engine and Match must agree on: Unicode case, word
// boundaries, numbers as text, arrays, nested and raw objects, bookkeeping.
var oracleDocs = []string{
	`{"event":{"ingested":"2024-01-01T12:00:01.5Z","id":"batch-135"},"organization":{"id":"acme"},` +
		`"message":"Connection from 192.0.2.1 port 22: Äpfel naïve ǅemal 東京タワー web-01 e\u0301te Straße ﬁne Σίσυφος",` +
		`"http":{"response":{"status_code":200}},"n":{"f":1.5,"big":12345678901234567890,"neg":-0,"e":1e3,"i":-7},` +
		`"ok":true,"no":false,"z":null,"host":{"name":"Web-01.Example"},"source":{"ip":"10.1.2.3"}}`,
	`{"message":"upstream timed out (110: Connection timed out)","labels":{"n":[1,2.5,true,null,[4]]},` +
		`"tags":["_parse_failure","x, \"y"],"n":{"f":"1.5"},"source":{"ip":"2001:db8::7"},"related":{"ip":["10.0.0.9","192.168.1.20"]}}`,
	`{"message":"µ ß Ⅻ ① ½ ² \u0000nul\u0000 \ufffd x\u0301\u0301y ͅ ǈ İstanbul","status":"200","n":{"i":7},"source":{"ip":"010.001.002.003"}}`,
	`{"message":"prefix* glob? [a] 100%_done OR NEAR(a b) col:val","url":{"path":"/api/v1?x=1*"},"port":22,"n":{"f":1.5e0},` +
		`"http":{"response":{"status_code":"503","body":{"bytes":4999}}}}`,
	`{"message":"","o":{"k":["a\u0000b"]},"ok":false,"e":"","arr":[]}`,
	`{"message":"the other o.k","o":{"k":"ab"},"http":{"response":{"status_code":404,"body":{"bytes":5000}}}}`,
	`{"message":"Ǆ ǅ ǆ DŽ Ⅸ ⅸ ẞ ß ΐ ΰ ǰ ﬀ Å Å K K ERROR Error error","x":{"y":{"z":"deep"}},"related":{"ip":["10.200.0.1"]}}`,
}

var oracleQueries = []string{
	"", "connection", "CONNECTION", "conn*", "timed", `"timed out"`, `"out timed"`, `"connection timed"`,
	"apfel", "ÄPFEL", "äpfel", "naive", "naïve", "ǆemal", "ǅemal", "dzemal", "東京タワー", "東京*", "ete", "étê", "strasse",
	"straße", "fine", "ﬁne", "σίσυφος", "σισυφος", "web-01", "web", "01", `"web 01"`, "192.0.2.1", "192",
	"2024", "12", "01.5Z", "135", "batch", "acme", "µ", "μ", "ⅻ", "xii", "①", "1", "½", "2", "nul", "x", "y", "xy", "ǉ", "istanbul",
	"prefix", "glob", "a", `"a b"`, "col", "val", "near", "100", "done", "_done", "api", "v1", "1.5", "200", "true",
	"message:connection", "message:web*", "message:upstream", "message:_parse_failure", `message:"from 192"`,
	"host.name:Web-01.Example", "host.name:web-01.example", "host.name:Web*", "host.name:web*", "host.name:Web-01",
	"http.response.status_code:200", "http.response.status_code:200.0", "http.response.status_code:2e2",
	`http.response.status_code:"200"`, "http.response.status_code:2*", "http.response:200",
	"status:200", "status:200.0", "status:2*", "n.f:1.5", "n.f:1.50", `n.f:"1.5"`, "n.f:15e-1", "n.big:12345678901234567890",
	"n.big:12345678901234567891", "n.neg:0", "n.neg:-0", "n.e:1000", "n.e:1e3",
	"n.i:-7", "n.i:7", "n.i:+7", "ok:true", "ok:false", "no:false", "z:null",
	"labels.n:1", "labels.n:2.5", "labels.n:true", "labels.n:4", "labels.n:5",
	"tags:_parse_failure", "tags:_parse*", "tags:parse", "tags:x*", `tags:"x, \"y"`, "tags:y*", "parse", "failure", "_parse_failure",
	"url.path:/api/v1?x=1*", "url.path:/api/v1?x=1", "url.path:/api/v1[?]*", "port:22",
	"o.k:ab", "o.k:a*", "x.y.z:deep", "x.y:deep", "x:deep", "deep",
	"ǆ", "dž", "ⅸ", "ß", "ss", "ẞ", "ΐ", "ι", "ǰ", "j", "ﬀ", "ff", "å", "k", "kelvin",
	"-connection", "NOT timed", "connection -timed", "connection AND -host.name:Web-01.Example", "-ok:true -ok:false",
	"timed -nul", "-x.y.z:deep -missing", "timed OR deep", "(timed OR deep) -upstream",
	// case
	"=ERROR", "=Error", "=error", "=ERR*", "=Err*", `="Connection timed"`, `="connection timed"`, "message:=Connection",
	// wildcards
	"con*ion", "*ection", "*rror", "t*d", "Ä*l", "web-*", "*-01", "1*5", "host.name:Web-*.Example", "host.name:*example",
	"host.name:*Example", "url.path:*v1*", "tags:*failure", "tags:*", "status:2*0", "=E*r",
	// exists
	"host.name:*", "host:*", "http.response:*", "e:*", "arr:*", "z:*", "missing:*", "-host.name:*", `e:""`, `host.name:""`, "o.k:*", "labels.n:*",
	// ranges
	"http.response.status_code >= 400", "http.response.status_code:>=400", "http.response.status_code>404",
	"http.response.status_code:[200 TO 404]", "http.response.status_code:{200 TO 404}", "http.response.status_code:[* TO 300}",
	"http.response.body.bytes:[1000 TO 5000]", "http.response.body.bytes:[1000 TO 5000}", "http.response.body.bytes < 5000",
	"n.f:[1.5 TO 1.5]", "n.f:{1.5 TO *]", "n.big >= 1e19", "n.neg:[0 TO 0]", "n.i:[-7 TO 7]", "n.e:[999.5 TO 1000.5]",
	"status:[100 TO 300]", "labels.n:[0 TO 10]", "port <= 22", "n.i:[8 TO 1]",
	"@timestamp >= 2024-01-01T12:03:00Z", "@timestamp:[2024-01-01T12:01:00Z TO 2024-01-01T12:03:00Z}",
	"@timestamp:{2024-01-01T12:01:00Z TO 2024-01-01T12:03:00Z]", "@timestamp < 2024-01-01", "@timestamp:[2024-01-01 TO *]",
	// cidr
	"source.ip:10.0.0.0/8", "source.ip:10.1.0.0/16", "source.ip:10.1.2.3/32", "source.ip:0.0.0.0/0", "source.ip:2001:db8::/32",
	"source.ip:::/0", "related.ip:10.0.0.0/8", "related.ip:192.168.0.0/16", "related.ip:10.128.0.0/9", "related.ip:2001:db8::/32",
	"source.ip:172.16.0.0/12", "-source.ip:10.0.0.0/8",
}

func TestMatchAgreesWithIndex(t *testing.T) {
	o := newOracle(t, oracleDocs...)
	for _, q := range oracleQueries {
		t.Run(q, func(t *testing.T) {
			n, err := query.Parse(q)
			require.NoError(t, err)
			o.compare(t, n)
		})
	}
	for _, v := range []string{"a\x00b", "a\x00", "a\x00zz", "\x00", "a", "ab", ""} {
		t.Run(fmt.Sprintf("values %q", v), func(t *testing.T) {
			o.compare(t, query.Term{Field: "o.k", Value: v})
			o.compare(t, query.Term{Field: "o.k", Value: v, Prefix: true})
			if strings.ContainsRune(v, 0) {
				return // the engine reads an array's strings in their JSON text, NUL escaped
			}
			o.compare(t, query.Term{Value: v})
			o.compare(t, query.Term{Value: v, Prefix: true})
			o.compare(t, query.Term{Field: "message", Value: v, Prefix: true})
		})
	}
}

// Whatever the query, Match finds what the index finds; it never panics.
func FuzzMatch(f *testing.F) {
	for _, q := range oracleQueries {
		f.Add(q)
	}
	f.Add(`"unterminated`)
	f.Add("\u0301 é*")
	o := newOracle(f, oracleDocs...)
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := query.Parse(s); err == nil {
			o.compare(t, n)
		}
		if !utf8.ValidString(s) {
			return
		}
		for _, n := range []query.Node{
			query.Term{Value: s}, query.Term{Value: s, Prefix: true}, query.Term{Field: "message", Value: s},
			query.Term{Field: "host.name", Value: s, Prefix: true}, query.Term{Field: "n.f", Value: s},
			query.Term{Field: "labels.n", Value: s},
		} {
			o.compare(t, n)
		}
	})
}
