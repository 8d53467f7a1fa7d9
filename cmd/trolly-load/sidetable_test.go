package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sideCells returns the cells of a row of the side-by-side (split on two spaces or more),
// after its name.
func sideCells(t *testing.T, out, row string) []string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, row+"  "); ok {
			var cells []string
			for _, c := range strings.Split(strings.TrimSpace(rest), "  ") {
				if c = strings.TrimSpace(c); c != "" {
					cells = append(cells, c)
				}
			}
			return cells
		}
	}
	t.Fatalf("no row %q in\n%s", row, out)
	return nil
}

func TestPrintSideBySide(t *testing.T) {
	qs := []question{{name: "count of all", want: "1000"}, {name: "a histogram", want: "1000 in 60 minutes"},
		{name: "a phrase", want: "12"}, {name: "a facet", want: "3 values"}}
	tr := side{
		rep: report{lines: 1000, accepted: 2 * time.Second, searchable: 4 * time.Second},
		cpu: 4 * time.Second, rss: 300 << 20, rssAfter: 310 << 20, disk: 100_000, archive: 2 << 20,
		answers: []answer{
			{latency: 30 * time.Millisecond, text: "1000", note: "/api/v1/search/count is missing: asked /api/v1/search?limit=1"},
			{missing: true, err: fmt.Errorf("GET /api/v1/search/histogram: 404 Not Found: %w", errMissing)},
			{latency: 1500 * time.Microsecond, text: "13"},
			{err: errors.New("GET /api/v1/search/facets: 504 Gateway Timeout: query_timeout")},
		},
	}
	vl := side{
		rep: report{lines: 1000, accepted: time.Second, searchable: 2 * time.Second},
		cpu: time.Second, rss: 100 << 20, rssAfter: 120 << 20, disk: 40_000, archive: -1,
		answers: []answer{
			{latency: 10 * time.Millisecond, text: "1000"},
			{latency: 5 * time.Millisecond, text: "1000 in 60 minutes"},
			{latency: time.Millisecond, text: "12"},
			{latency: 2 * time.Millisecond, text: "3 values"},
		},
	}
	var out bytes.Buffer
	printSideBySide(&out, qs, tr, vl)
	got := out.String()
	require.Equal(t, []string{"Trolly", "VictoriaLogs", "Trolly/VL", "target", "met"}, sideCells(t, "\n"+got, ""))
	require.Equal(t, []string{"500", "1000", "0.50x"}, sideCells(t, got, "lines/s accepted"))
	require.Equal(t, []string{"4.0", "2.0", "2.00x"}, sideCells(t, got, "seconds until all searchable"))
	require.Equal(t, []string{"250", "1000", "0.25x", ">= 0.5x", "NO"}, sideCells(t, got, "lines per server CPU-second"))
	require.Equal(t, []string{"300", "100", "3.00x", "<= 1.5x", "NO"}, sideCells(t, got, "peak RSS MiB once searchable"))
	require.Equal(t, []string{"310", "120", "2.58x"}, sideCells(t, got, "peak RSS MiB after the queries"))
	require.Equal(t, []string{"100.0", "40.0", "2.50x", "<= 2x", "NO"}, sideCells(t, got, "search data bytes per line"))
	require.Equal(t, []string{"2.0", "-", "-"}, sideCells(t, got, "archive on disk MiB (apart)"))
	require.Equal(t, []string{"30.0", "10.0", "3.00x", "<= 1.5x", "NO"}, sideCells(t, got, "ms: count of all"))
	require.Equal(t, []string{"n/a (endpoint missing)", "5.0", "-", "<= 1.5x", "-"}, sideCells(t, got, "ms: a histogram"))
	require.Equal(t, []string{"1.5", "1.0", "1.50x", "<= 1.5x", "yes"}, sideCells(t, got, "ms: a phrase"))
	require.Equal(t, []string{"error", "2.0", "-", "<= 1.5x", "-"}, sideCells(t, got, "ms: a facet"))

	// The answers: each beside the expected one, a wrong one marked, errors and notes below.
	require.Equal(t, []string{"1000", "same", "same"}, sideCells(t, got, "count of all"))
	require.Equal(t, []string{"1000 in 60 minutes", "n/a (endpoint missing)", "same"}, sideCells(t, got, "a histogram"))
	require.Equal(t, []string{"12", "13 (WRONG)", "same"}, sideCells(t, got, "a phrase"))
	require.Equal(t, []string{"3 values", "error (below)", "same"}, sideCells(t, got, "a facet"))
	require.Contains(t, got, "Trolly, a facet: GET /api/v1/search/facets: 504 Gateway Timeout: query_timeout\n")
	require.Contains(t, got, "Trolly, count of all: /api/v1/search/count is missing: asked /api/v1/search?limit=1\n")
	require.NotContains(t, got, "Trolly, a histogram:")
}

func TestGoal(t *testing.T) {
	require.True(t, atLeastHalf.met(0.5))
	require.False(t, atLeastHalf.met(0.49))
	require.True(t, atMost1_5.met(1.5))
	require.False(t, atMost1_5.met(1.51))
	require.Equal(t, ">= 0.5x", atLeastHalf.String())
	require.Equal(t, "<= 2x", atMostTwice.String())
}

func TestMedian(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	require.Equal(t, 3*time.Millisecond, median(ms(9, 1, 3)))
	require.Equal(t, 5*time.Millisecond, median(ms(8, 2, 4, 6)))
	require.Equal(t, time.Duration(0), median(nil))
	in := ms(3, 1, 2)
	median(in)
	require.Equal(t, ms(3, 1, 2), in, "the runs keep their order")
}

// askTrolly falls back where the endpoint is missing, says so, and tells a missing
// endpoint from a failing one.
func TestAskTrolly(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path+" "+r.URL.Query().Get("limit"))
		if r.Header.Get("Authorization") != "Bearer k" || r.URL.Query().Get("from") != "2026-12-07T10:00:00Z" ||
			r.URL.Query().Get("to") != "2026-12-07T11:00:00Z" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/api/v1/search":
			fmt.Fprint(w, `{"total":"42","hits":[{}]}`)
		case "/api/v1/search/facets":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/api/v1/search/histogram":
			http.Error(w, "not implemented", http.StatusNotImplemented)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	a := api{base: srv.URL, auth: "Bearer k", from: "from", to: "to", client: srv.Client()}
	from := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	c, err := makeCorpus(10, from)
	require.NoError(t, err)
	qs := questions(c, 100, 10)

	got := askTrolly(a, qs[0], from, from.Add(time.Hour), 3)
	require.NoError(t, got.err)
	require.Equal(t, "42", got.text)
	require.Contains(t, got.note, "/api/v1/search/count is missing")
	require.Equal(t, []string{"/api/v1/search/count ", "/api/v1/search 1", "/api/v1/search 1", "/api/v1/search 1"}, asked)

	hist := askTrolly(a, qs[4], from, from.Add(time.Hour), 3)
	require.True(t, hist.missing)
	require.ErrorIs(t, hist.err, errMissing)
	facets := askTrolly(a, qs[5], from, from.Add(time.Hour), 3)
	require.False(t, facets.missing)
	require.ErrorContains(t, facets.err, "500 Internal Server Error: boom")

	asked = nil
	word := askTrolly(a, qs[1], from, from.Add(time.Hour), 3)
	require.NoError(t, word.err)
	require.Equal(t, "42", word.text)
	require.Empty(t, word.note)
	require.Len(t, asked, 3)
}

// askInTurn alternates the subjects on each run, reports each one's median, and stops
// asking a subject a question it failed.
func TestAskInTurn(t *testing.T) {
	var order []string
	fake := func(name string, lat []time.Duration, failAt int) subject {
		n := 0
		return subject{name: name, ask: func(_ api, q question, _, _ time.Time, runs int) answer {
			require.Equal(t, 1, runs)
			order = append(order, name+" "+q.name)
			n++
			if n == failAt {
				return answer{err: errors.New("boom")}
			}
			return answer{latency: lat[(n-1)%len(lat)], text: q.name + " answer"}
		}}
	}
	ms := time.Millisecond
	a := fake("a", []time.Duration{5 * ms, 1 * ms, 3 * ms}, 0)
	b := fake("b", []time.Duration{7 * ms, 9 * ms, 8 * ms}, 5)
	qs := []question{{name: "q1"}, {name: "q2"}}
	got := askInTurn(qs, []subject{a, b}, time.Time{}, time.Time{}, 3)
	require.Equal(t, []string{"a q1", "b q1", "a q1", "b q1", "a q1", "b q1", "a q2", "b q2", "a q2", "b q2", "a q2"}, order)
	require.Equal(t, 3*ms, got[0][0].latency)
	require.Equal(t, 3*ms, got[0][1].latency)
	require.Equal(t, "q2 answer", got[0][1].text)
	require.Equal(t, 8*ms, got[1][0].latency)
	require.NoError(t, got[1][0].err)
	require.ErrorContains(t, got[1][1].err, "boom")
}
