package searchtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

// timeout bounds every call of the suite.
const timeout = time.Minute

// Run checks the contract of search.Backend on backends made by newBackend, which must
// return a new backend over empty storage at each call. The suite closes every backend it
// gets, and expects a Search to see every doc whose Write has returned.
func Run(t *testing.T, newBackend func(t *testing.T) search.Backend) {
	t.Run("queries", func(t *testing.T) {
		b := open(t, newBackend)
		load(t, b)
		runCases(t, b, queryCases)
	})
	t.Run("time ranges", func(t *testing.T) {
		b := open(t, newBackend)
		load(t, b)
		runCases(t, b, rangeCases)
	})
	t.Run("order and limit", func(t *testing.T) {
		b := open(t, newBackend)
		load(t, b)
		runCases(t, b, limitCases)
	})
	t.Run("tenant walls", func(t *testing.T) {
		b := open(t, newBackend)
		load(t, b)
		runCases(t, b, tenantCases)
	})
	t.Run("hits carry the doc", func(t *testing.T) {
		b := open(t, newBackend)
		load(t, b)
		checkHits(t, b)
	})
	t.Run("idempotent writes", func(t *testing.T) {
		testIdempotent(t, open(t, newBackend))
	})
	t.Run("drop a tenant", func(t *testing.T) {
		testDropTenant(t, open(t, newBackend))
	})
}

// testDropTenant drops acme, whose key is a prefix of acme-corp's and of acme.7's (acme
// made again): the others keep everything, and acme can be written to again.
func testDropTenant(t *testing.T, b search.Backend) {
	load(t, b)
	again := fixtureByID(t, "acme-01")
	again.tenant, again.id = acmeAgain, "again-01"
	require.NoError(t, b.Write(ctx(t), again.index(), []search.Doc{again.doc(t)}))
	queryCase{name: "acme made again is apart", tenant: acmeAgain, want: []string{"again-01"}}.check(t, b)

	n, err := b.DropTenant(ctx(t), acme)
	require.NoError(t, err)
	require.Positive(t, n, "acme had indices")
	queryCase{name: "acme is empty", q: "", want: nil}.check(t, b)
	queryCase{name: "acme-corp keeps its events", tenant: acmeCorp, q: "", want: acmeCorpIDs}.check(t, b)
	queryCase{name: "acme made again keeps its events", tenant: acmeAgain, want: []string{"again-01"}}.check(t, b)
	n, err = b.DropTenant(ctx(t), acme)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left to drop")
	load(t, b)
	queryCase{name: "acme written again", q: "", want: acmeIDs}.check(t, b)
}

// RunPersistence checks that what a backend wrote survives its Close. newStorage returns
// a function that opens a new backend over the same storage, empty at first, each time it
// is called; the suite closes each backend before opening the next.
func RunPersistence(t *testing.T, newStorage func(t *testing.T) func(t *testing.T) search.Backend) {
	reopen := newStorage(t)
	first := reopen(t)
	load(t, first)
	require.NoError(t, first.Close())

	second := reopen(t)
	all := queryCase{name: "all after reopen", q: "", want: acmeIDs}
	all.check(t, second)
	load(t, second) // the same ids again: nothing new
	all.check(t, second)
	queryCase{name: "words after reopen", q: `"connection timed out"`, want: []string{"acme-03"}}.check(t, second)
	queryCase{name: "fields after reopen", tenant: acmeCorp, q: "http.response.status_code:504", want: []string{"corp-03"}}.check(t, second)
	require.NoError(t, second.Close())
}

func open(t *testing.T, newBackend func(t *testing.T) search.Backend) search.Backend {
	t.Helper()
	b := newBackend(t)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return b
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return c
}

// load writes the fixtures, one Write per index.
func load(t *testing.T, b search.Backend) {
	t.Helper()
	byIndex := map[string][]search.Doc{}
	var order []string
	for _, f := range fixtures {
		name := f.index()
		if _, ok := byIndex[name]; !ok {
			order = append(order, name)
		}
		byIndex[name] = append(byIndex[name], f.doc(t))
	}
	for _, name := range order {
		require.NoError(t, b.Write(ctx(t), name, byIndex[name]), name)
	}
}

// checkHits compares every field of every hit with the fixture it came from.
func checkHits(t *testing.T, b search.Backend) {
	for _, tenant := range []string{acme, acmeCorp} {
		res, err := b.Search(ctx(t), search.Request{Tenant: tenant, From: wideFrom, To: wideTo, Limit: 100})
		require.NoError(t, err)
		require.NotEmpty(t, res.Hits)
		for _, h := range res.Hits {
			f := fixtureByID(t, h.ID)
			require.Equal(t, tenant, f.tenant, h.ID)
			require.Equal(t, f.index(), h.Index, h.ID)
			require.True(t, f.ts.Equal(h.Timestamp), "%s: timestamp %s, want %s", h.ID, h.Timestamp, f.ts)
			require.JSONEq(t, string(f.source(t)), string(h.Source), h.ID)
		}
	}
}

func testIdempotent(t *testing.T, b search.Backend) {
	load(t, b)
	// Rewriting the same ids, even with other content, keeps what the index holds.
	byIndex := map[string][]search.Doc{}
	for _, f := range fixtures {
		f.message = "rewritten " + f.message
		byIndex[f.index()] = append(byIndex[f.index()], f.doc(t))
	}
	for name, docs := range byIndex {
		require.NoError(t, b.Write(ctx(t), name, docs), name)
	}
	queryCase{name: "all once", want: acmeIDs}.check(t, b)
	queryCase{name: "first write wins", q: "rewritten"}.check(t, b)
	checkHits(t, b)

	// One call holding an id three times, beside a new one, adds each once.
	f := fixtureByID(t, "acme-05")
	fresh := f
	fresh.id, fresh.ts = "acme-09", f.ts.Add(time.Second)
	docs := []search.Doc{f.doc(t), fresh.doc(t), fresh.doc(t), fresh.doc(t)}
	require.NoError(t, b.Write(ctx(t), f.index(), docs))
	want := append([]string{}, acmeIDs[:3]...)
	want = append(want, "acme-09")
	want = append(want, acmeIDs[3:]...)
	queryCase{name: "duplicates in one call", want: want}.check(t, b)
}

func runCases(t *testing.T, b search.Backend, cases []queryCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, b) })
	}
}

// check runs the case's search and compares the ids of the hits, in order, and the total.
func (tc queryCase) check(t *testing.T, b search.Backend) {
	t.Helper()
	n, err := query.Parse(tc.q)
	require.NoError(t, err, tc.q)
	req := search.Request{Tenant: tc.tenant, Query: n, From: tc.from, To: tc.to, Limit: tc.limit}
	if req.Tenant == "" {
		req.Tenant = acme
	}
	if req.From.IsZero() && req.To.IsZero() {
		req.From, req.To = wideFrom, wideTo
	}
	if req.Limit == 0 && !tc.zeroLimit {
		req.Limit = 100
	}
	res, err := b.Search(ctx(t), req)
	require.NoError(t, err, tc.q)
	ids := []string{}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	want := tc.want
	if want == nil {
		want = []string{}
	}
	require.Equal(t, want, ids, "query %q", tc.q)
	total := tc.total
	if total == 0 {
		total = int64(len(tc.want))
	}
	require.Equal(t, total, res.Total, "query %q", tc.q)
}
