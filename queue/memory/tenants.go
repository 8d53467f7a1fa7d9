package memory

import (
	"maps"
	"sync"

	"github.com/trolly-logs/trolly/queue"
)

// tenants sums the bodies held until every group acknowledged them, by the tenant of
// their key, all topics together. Only tenants that hold something are kept.
type tenants struct {
	mu    sync.Mutex
	bytes map[string]int64
}

func newTenants() *tenants { return &tenants{bytes: map[string]int64{}} }

// add counts n more bytes (fewer when negative) of key's tenant.
func (t *tenants) add(key string, n int64) {
	tenant := queue.TenantOf(key)
	t.mu.Lock()
	defer t.mu.Unlock()
	if v := t.bytes[tenant] + n; v > 0 {
		t.bytes[tenant] = v
	} else {
		delete(t.bytes, tenant)
	}
}

func (t *tenants) held(tenant string) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.bytes[tenant]
}

func (t *tenants) snapshot() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.bytes)
}

// TenantBacklog returns the bytes of tenant's bodies held until every group acknowledged
// them, all topics together, and the budget max_tenant_backlog_bytes.
func (q *Queue) TenantBacklog(tenant string) queue.Backlog {
	return queue.Backlog{Bytes: q.tenants.held(tenant), Budget: q.cfg.MaxTenantBacklogBytes}
}
