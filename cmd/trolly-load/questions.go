package main

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// question is one query asked of both systems over the loaded data: the same question in
// each one's own API and language, and the answer the generated events give.
type question struct {
	name   string
	trolly call // Trolly's REST API
	// fallback is asked of a Trolly without trolly's endpoint, or nil.
	fallback *call
	vlogs    []call // VictoriaLogs' HTTP API, one request after the other
	want     string // the answer as summary prints it, from the events sent
}

// call is one GET of a system's API: its path and query parameters, without the range.
type call struct {
	path   string
	params url.Values
	// answer summarizes the response body so that both systems' can be compared.
	answer func(body []byte) (string, error)
}

const (
	hitsLimit  = 100              // hits a search returns: Trolly's default limit
	facetField = "url.original"   // the field whose top values are asked
	facetTop   = 10               // how many
	nothing    = "qxzvkwjyplumbo" // a word no generated line holds
)

// questions returns the queries of the comparison for the events the load sends.
func questions(c *corpus, lines, batch int) []question {
	var total int64
	perMinute := map[int64]int64{}
	values := map[string]int64{}
	c.sent(lines, batch, func(ev event, times int) {
		total += int64(times)
		if t, err := time.Parse(time.RFC3339Nano, fmt.Sprint(ev["@timestamp"])); err == nil {
			perMinute[t.Unix()/60] += int64(times)
		}
		if v, ok := ev[facetField].(string); ok {
			values[v] += int64(times)
		}
	})
	word := rareWord(c, lines, batch)
	count := func(match func(ev event) bool) string {
		var n int64
		c.sent(lines, batch, func(ev event, times int) {
			if match(ev) {
				n += int64(times)
			}
		})
		return strconv.FormatInt(n, 10)
	}
	search := func(name, q, logsql string, match func(ev event) bool) question {
		return question{
			name:   name,
			trolly: call{"/api/v1/search", url.Values{"q": {q}, "limit": {strconv.Itoa(hitsLimit)}}, trollyTotal},
			vlogs: []call{
				{"/select/logsql/query", url.Values{"query": {logsql + " | sort by (_time desc) | limit " + strconv.Itoa(hitsLimit)}}, vlogsHitRows},
				{"/select/logsql/query", url.Values{"query": {logsql + " | count() as n"}}, vlogsCount},
			},
			want: count(match),
		}
	}
	return []question{
		{
			name:   "count of all",
			trolly: call{"/api/v1/search/count", url.Values{}, trollyTotal},
			// Before the count call, a search of one hit answers the total too.
			fallback: &call{"/api/v1/search", url.Values{"limit": {"1"}}, trollyTotal},
			vlogs:    []call{{"/select/logsql/query", url.Values{"query": {"* | count() as n"}}, vlogsCount}},
			want:     strconv.FormatInt(total, 10),
		},
		search("a rare word ("+word+")", word, word, func(ev event) bool {
			return ev["url.original"] == "/search?q="+word
		}),
		search(`a phrase ("POST /login")`, `"POST /login"`, `"POST /login"`, func(ev event) bool {
			return ev["http.request.method"] == "POST" && ev["url.original"] == "/login"
		}),
		search("a field range (status >= 500)", "http.response.status_code >= 500", "http.response.status_code:>=500", func(ev event) bool {
			s, err := strconv.Atoi(fmt.Sprint(ev["http.response.status_code"]))
			return err == nil && s >= 500
		}),
		{
			name:   "a histogram (hits per minute)",
			trolly: call{"/api/v1/search/histogram", url.Values{"interval": {"1m"}}, trollyHistogram},
			vlogs:  []call{{"/select/logsql/hits", url.Values{"query": {"*"}, "step": {"1m"}}, vlogsHits}},
			want:   histogramAnswer(total, len(perMinute)),
		},
		{
			name: fmt.Sprintf("a facet (top %d of %s)", facetTop, facetField),
			trolly: call{"/api/v1/search/facets", url.Values{"fields": {facetField}, "limit": {strconv.Itoa(facetTop)}},
				trollyFacets},
			vlogs: []call{{"/select/logsql/query", url.Values{"query": {fmt.Sprintf("* | top %d by (%s)", facetTop, facetField)}},
				vlogsTop}},
			want: facetAnswer(topCounts(values, facetTop)),
		},
		search("a query that matches nothing", nothing, nothing, func(ev event) bool {
			return strings.Contains(fmt.Sprint(ev["message"]), nothing)
		}),
	}
}

// rareWord returns the search word of the /search?q=item<n> path sent the fewest times.
func rareWord(c *corpus, lines, batch int) string {
	seen := map[string]int{}
	c.sent(lines, batch, func(ev event, times int) {
		if w, ok := strings.CutPrefix(fmt.Sprint(ev["url.original"]), "/search?q="); ok {
			seen[w] += times
		}
	})
	words := slices.Sorted(maps.Keys(seen))
	if len(words) == 0 {
		return nothing
	}
	return slices.MinFunc(words, func(a, b string) int { return cmp.Compare(seen[a], seen[b]) })
}

// topCounts returns the counts of the n most frequent values; which of equal values comes
// first varies between systems, their counts do not.
func topCounts(values map[string]int64, n int) []int64 {
	counts := sortedDown(slices.Collect(maps.Values(values)))
	return counts[:min(n, len(counts))]
}

func histogramAnswer(total int64, buckets int) string {
	return fmt.Sprintf("%d in %d minutes", total, buckets)
}

// facetAnswer summarizes the counts of top values, most first.
func facetAnswer(counts []int64) string {
	if len(counts) == 0 {
		return "no values"
	}
	var sum int64
	for _, c := range counts {
		sum += c
	}
	return fmt.Sprintf("%d values, %d to %d, %d in all", len(counts), counts[0], counts[len(counts)-1], sum)
}
