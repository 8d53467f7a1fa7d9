package searchtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search/query"
)

// RunPredicate checks an in-memory evaluator of the query language (the CEP engine's,
// the pipelines') against the suite's query cases, so that a query means in memory what
// it means in the search bar. match reports whether the event whose ECS JSON is source
// matches q. For every case, the acme fixtures it matches must be exactly the ids the
// case wants; cases about time ranges, limits and tenants are the backends' alone.
func RunPredicate(t *testing.T, match func(t *testing.T, q query.Node, source []byte) bool) {
	for _, tc := range queryCases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := query.Parse(tc.q)
			require.NoError(t, err, tc.q)
			got := []string{}
			for _, id := range acmeIDs { // newest first, as searches return them
				if match(t, q, fixtureByID(t, id).source(t)) {
					got = append(got, id)
				}
			}
			want := tc.want
			if want == nil {
				want = []string{}
			}
			require.Equal(t, want, got, "query %q", tc.q)
		})
	}
}
