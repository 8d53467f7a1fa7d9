package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireCallsAgree checks, through the API process, that every search call tells the
// same total of the tenant's events in [from, to) as a search, and that none of them
// shows another tenant's: in the multi-process topology they all reach the indexer's
// engine over its internal listener.
func requireCallsAgree(t *testing.T, s server, tenant, other, from, to string) {
	t.Helper()
	key := tenant + "-read-key"
	total := s.search(t, key, "", from, to, 1).total(t)
	get := func(path string, extra url.Values) []byte {
		v := url.Values{"from": {from}, "to": {to}}
		for k, vs := range extra {
			v[k] = vs
		}
		a := do(t, http.MethodGet, s.apiURL+path+"?"+v.Encode(), key, nil, nil)
		require.Equal(t, http.StatusOK, a.status, "%s: %s", path, a.body)
		require.NotContains(t, string(a.body), `"`+other+`"`, "%s shows %s's", path, other)
		return a.body
	}
	var count struct{ Total string }
	require.NoError(t, json.Unmarshal(get("/api/v1/search/count", nil), &count))
	require.Equal(t, fmt.Sprint(total), count.Total, "count")

	var hist struct {
		Total   string
		Buckets []struct{ Count string }
	}
	require.NoError(t, json.Unmarshal(get("/api/v1/search/histogram", nil), &hist))
	require.Equal(t, fmt.Sprint(total), hist.Total, "histogram")
	require.NotEmpty(t, hist.Buckets)

	var facets struct {
		Facets []struct {
			Field  string
			Values []struct{ Value, Count string }
		}
	}
	require.NoError(t, json.Unmarshal(get("/api/v1/search/facets", url.Values{"fields": {"organization.id"}}), &facets))
	require.Len(t, facets.Facets, 1)
	require.Len(t, facets.Facets[0].Values, 1)
	require.Equal(t, fmt.Sprint(total), facets.Facets[0].Values[0].Count, "facets")

	var fields struct {
		Fields []struct{ Field, Count string }
	}
	require.NoError(t, json.Unmarshal(get("/api/v1/search/fields", nil), &fields))
	require.Contains(t, fields.Fields, struct{ Field, Count string }{"event.id", fmt.Sprint(total)})

	lines := bytes.Count(get("/api/v1/search/export", url.Values{"fields": {"event.id,organization.id"}}), []byte("\n"))
	require.Equal(t, total, lines, "export")
	if total > 3 {
		var ids []string
		limit := min(total/3+1, 1000)
		p := url.Values{"limit": {fmt.Sprint(limit)}, "order": {"oldest"}}
		for range total/limit + 2 {
			var page struct {
				Hits []struct {
					ID string `json:"id"`
				}
				NextCursor string `json:"next_cursor"`
			}
			require.NoError(t, json.Unmarshal(get("/api/v1/search", p), &page))
			for _, h := range page.Hits {
				ids = append(ids, h.ID)
			}
			if page.NextCursor == "" {
				break
			}
			p.Set("cursor", page.NextCursor)
		}
		require.Len(t, ids, total, "pages")
		slices.Sort(ids)
		require.Len(t, slices.Compact(ids), total, "each event once over the pages")
	}
}
