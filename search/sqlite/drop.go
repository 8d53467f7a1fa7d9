package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/trolly-logs/trolly/search"
)

// DropTenant implements search.Backend: it deletes every index file of the tenant whose
// key is tenantKey. An open index is closed once its calls end; a search listing it
// meanwhile finds it missing and holds nothing there.
func (b *Backend) DropTenant(ctx context.Context, tenantKey string) (int, error) {
	entries, err := os.ReadDir(b.cfg.Dir)
	if err != nil {
		return 0, fmt.Errorf("list indices: %w", err)
	}
	dropped := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return dropped, err
		}
		name, ok := strings.CutSuffix(e.Name(), fileSuffix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if key, _, _, ok := search.ParseIndexName(name); !ok || key != tenantKey {
			continue
		}
		if err := b.drop(name); err != nil {
			return dropped, err
		}
		dropped++
	}
	if dropped > 0 {
		if err := syncDir(b.cfg.Dir); err != nil {
			return dropped, fmt.Errorf("sync search dir: %w", err)
		}
	}
	return dropped, nil
}

// drop takes the index out of the cache and deletes its file, then its journal files.
func (b *Backend) drop(name string) error {
	b.mu.Lock()
	var idle []*index
	if ix := b.open[name]; ix != nil && b.removeLocked(ix) {
		idle = append(idle, ix)
	}
	b.mu.Unlock()
	if err := closeAll(idle); err != nil {
		b.logger.Warn("close dropped index", "err", err)
	}
	p := b.path(name)
	for _, f := range []string{p, p + "-wal", p + "-shm", p + "-journal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return nil
}
