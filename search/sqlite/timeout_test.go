package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
)

// TestSearchStopsAtDeadline checks that the driver (modernc.org/sqlite) gives up a
// statement when its context ends, for the count and the hits a search runs: the search
// answers the context's error instead of its result.
func TestSearchStopsAtDeadline(t *testing.T) {
	b := open(t, t.TempDir())
	defer b.Close()
	writeTenant(t, b, "acme", 20_000)
	req := search.Request{Tenant: "acme", Query: mustParse(t, "user_agent.original:Moz*"), From: day, To: day.AddDate(0, 0, 1), Limit: 100}

	res, err := b.Search(context.Background(), req)
	require.NoError(t, err)
	require.Positive(t, res.Total, "the query matches without a deadline")

	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err = b.Search(ctx, req)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	res2, err := b.Search(context.Background(), req)
	require.NoError(t, err, "the index serves the next search")
	require.Equal(t, res.Total, res2.Total)
}
