package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTrollyAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		read             func([]byte) (string, error)
	}{
		{"search", `{"total":"1234","hits":[{"id":"a"}]}`, "1234", trollyTotal},
		{"count", `{"total":"7"}`, "7", trollyTotal},
		{"a zero total is left out", `{}`, "0", trollyTotal},
		{"histogram", `{"interval":"1m","total":"30","buckets":[{"start":"2026-12-07T10:00:00Z","count":"10"},` +
			`{"start":"2026-12-07T10:01:00Z"},{"start":"2026-12-07T10:02:00Z","count":"20"}]}`, "30 in 2 minutes", trollyHistogram},
		{"facets", `{"facets":[{"field":"user.name","values":[{"value":"x","count":"99"}]},` +
			`{"field":"url.original","values":[{"value":"/","count":"50"},{"value":"/a","count":"5"},{"value":"/b","count":"20"}]}]}`,
			"3 values, 50 to 5, 75 in all", trollyFacets},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.read([]byte(tc.body))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, err := trollyFacets([]byte(`{"facets":[{"field":"user.name","values":[]}]}`))
	require.ErrorContains(t, err, "no facet of url.original")
	_, err = trollyTotal([]byte(`{"total":"many"}`))
	require.Error(t, err)
	_, err = trollyHistogram([]byte(`<html>`))
	require.ErrorContains(t, err, "read a histogram")
}

func TestVictoriaLogsAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		read             func([]byte) (string, error)
	}{
		{"count", "{\"n\":\"2000000\"}\n", "2000000", vlogsCount},
		{"hits give no answer", "{\"_msg\":\"a\",\"_time\":\"2026-12-07T10:00:00Z\"}\n{\"_msg\":\"b\"}\n", "", vlogsHitRows},
		{"no hits", "", "", vlogsHitRows},
		{"top", "{\"url.original\":\"/\",\"hits\":\"50\"}\n{\"url.original\":\"/b\",\"hits\":\"20\"}\n{\"url.original\":\"/a\",\"hits\":\"5\"}\n",
			"3 values, 50 to 5, 75 in all", vlogsTop},
		{"hits over time", `{"hits":[{"fields":{},"timestamps":["2026-12-07T10:00:00Z","2026-12-07T10:02:00Z"],"values":[10,20],"total":30}]}`,
			"30 in 2 minutes", vlogsHits},
		{"hits of nothing", `{"hits":[]}`, "0 in 0 minutes", vlogsHits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.read([]byte(tc.body))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, err := vlogsCount([]byte("{\"n\":\"1\"}\n{\"n\":\"2\"}\n"))
	require.ErrorContains(t, err, "2 rows")
	_, err = vlogsCount([]byte("{\"count(*)\":\"1\"}\n"))
	require.ErrorContains(t, err, "read a count")
	_, err = vlogsHitRows([]byte(strings.Repeat("{\"_msg\":\"a\"}\n", hitsLimit+1)))
	require.ErrorContains(t, err, "more than the limit")
	_, err = vlogsTop([]byte("{\"url.original\":\"/\"}\n"))
	require.ErrorContains(t, err, "read a top value")
	_, err = vlogsRows([]byte("not json\n"))
	require.ErrorContains(t, err, "read a row")
}
