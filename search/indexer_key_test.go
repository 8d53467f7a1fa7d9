package search

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// remadeDirectory is a directory in which acme was deleted and made again: its key now
// is acme.7.
type remadeDirectory struct{ *tenant.Static }

func (d remadeDirectory) Tenant(ctx context.Context, id string) (tenant.Tenant, error) {
	t, err := d.Static.Tenant(ctx, id)
	if id == "acme" {
		t.Key = "acme.7"
	}
	return t, err
}

// A batch is filed under its tenant's key; one accepted for the tenant before it was
// deleted and made again goes to the dead letters, never into the new tenant's indices.
func TestIndexerFilesByTenantKey(t *testing.T) {
	q, b := testQueue(t), &fakeBackend{}
	ix := NewIndexer(IndexerConfig{BatchSize: 4}, q, b, remadeDirectory{testDirectory(t)}, nil, nil)
	keyed := func(key string, ev *trollyv1.Event) []byte {
		body, err := proto.Marshal(&trollyv1.EventBatch{BatchId: "01HN8Z", TenantId: "acme", TenantKey: key, Stream: "web",
			Events: []*trollyv1.Event{ev}})
		require.NoError(t, err)
		return body
	}
	publish(t, q, keyed("acme.7", event("now", jan31)), keyed("acme.3", event("before", jan31)), keyed("acme", event("legacy", jan31)),
		batch(t, "acme", event("unkeyed", jan31)))
	drain(t, q, ix)
	require.Equal(t, map[string][]string{"trolly-acme.7-2024.01.31": {"now", "unkeyed"}}, sorted(b.ids()),
		"the old tenant's batches stay out; a batch queued before keys is the tenant's now")
	require.Equal(t, map[string]int{"ack": 2, "reject": 2}, q.counts())
}
