package processor

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

func TestSplit(t *testing.T) {
	var lines [][]byte
	for i := range 50 {
		lines = append(lines, fmt.Appendf(nil, "line %d %s", i, bytes.Repeat([]byte("x"), i*10)))
	}
	lines = append(lines, bytes.Repeat([]byte("y"), 5000)) // larger than any limit below
	out, err := Process(newBatch("text", text, lines...))
	require.NoError(t, err)
	require.Equal(t, testTenant+".7", out.GetTenantKey(), "the tenant key is carried through")
	whole := len(mustMarshal(t, out))

	for _, limit := range []int{whole, whole - 1, 8000, 3000, 1} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			parts := split(out, limit)
			var ids []string
			for _, part := range parts {
				require.Equal(t, out.GetBatchId(), part.GetBatchId())
				require.Equal(t, out.GetTenantId(), part.GetTenantId())
				require.Equal(t, out.GetTenantKey(), part.GetTenantKey())
				require.Equal(t, out.GetStream(), part.GetStream())
				require.NotEmpty(t, part.GetEvents())
				if size := len(mustMarshal(t, part)); size > limit {
					require.Equal(t, 1, len(part.GetEvents()), "only a lone event may exceed the limit")
				}
				for _, ev := range part.GetEvents() {
					ids = append(ids, ev.GetId())
				}
			}
			var want []string
			for _, ev := range out.GetEvents() {
				want = append(want, ev.GetId())
			}
			require.Equal(t, want, ids, "every event once, in order")
			if limit >= whole {
				require.Equal(t, 1, len(parts))
			} else {
				require.Greater(t, len(parts), 1)
			}
		})
	}
}

func mustMarshal(t *testing.T, b *trollyv1.EventBatch) []byte {
	t.Helper()
	data, err := proto.Marshal(b)
	require.NoError(t, err)
	return data
}
