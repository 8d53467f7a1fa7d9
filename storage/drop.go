package storage

import (
	"context"
	"fmt"
)

// DropTenant deletes every object filed under the tenant key, returning how many it
// deleted. The trailing slash of the prefix keeps acme's purge away from acme.7's and
// acme-corp's objects.
func DropTenant(ctx context.Context, b Bucket, tenantKey string) (int, error) {
	prefix := tenantKey + "/"
	if err := ValidatePrefix(prefix); err != nil {
		return 0, fmt.Errorf("drop tenant %q: %w", tenantKey, err)
	}
	var keys []string
	for key, err := range b.List(ctx, prefix) {
		if err != nil {
			return 0, fmt.Errorf("list %s: %w", prefix, err)
		}
		keys = append(keys, key)
	}
	for i, key := range keys {
		if err := b.Delete(ctx, key); err != nil {
			return i, fmt.Errorf("delete %s: %w", key, err)
		}
	}
	return len(keys), nil
}
