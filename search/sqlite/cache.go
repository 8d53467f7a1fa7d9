package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// acquire returns the open index name, opening its file (and creating it when create is
// set) if needed. The caller must release it.
func (b *Backend) acquire(ctx context.Context, name string, create bool) (*index, error) {
	if ix, err := b.cached(name); ix != nil || err != nil {
		return ix, err
	}
	if create {
		b.create.Lock()
		err := createFile(ctx, b.path(name), b.cfg.BusyTimeout)
		b.create.Unlock()
		if err != nil {
			return nil, fmt.Errorf("create index %s: %w", name, err)
		}
	}
	db, file, err := openFile(ctx, b.path(name), b.cfg)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", name, err)
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, errors.Join(ErrClosed, db.Close())
	}
	if ix := b.open[name]; ix != nil && os.SameFile(ix.file, file) { // opened meanwhile
		ix.refs++
		b.lru.MoveToFront(ix.elem)
		b.mu.Unlock()
		return ix, db.Close()
	}
	var victims []*index
	if old := b.open[name]; old != nil && b.removeLocked(old) {
		victims = append(victims, old)
	}
	ix := &index{name: name, db: db, file: file, refs: 1}
	ix.elem = b.lru.PushFront(ix)
	b.open[name] = ix
	b.m.openIndices.Set(float64(len(b.open)))
	victims = append(victims, b.evictLocked()...)
	b.mu.Unlock()
	if err := closeAll(victims); err != nil {
		b.logger.Warn("close evicted index", "err", err)
	}
	return ix, nil
}

// cached returns the cached index name if its file is still the one it opened: the
// bookkeeper may delete an index, and a write to a deleted file would be lost.
func (b *Backend) cached(name string) (*index, error) {
	file, statErr := os.Stat(b.path(name))
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, ErrClosed
	}
	ix := b.open[name]
	if ix != nil && statErr == nil && os.SameFile(ix.file, file) {
		ix.refs++
		b.lru.MoveToFront(ix.elem)
		b.mu.Unlock()
		return ix, nil
	}
	if ix != nil && !b.removeLocked(ix) {
		ix = nil
	}
	b.mu.Unlock()
	if ix != nil {
		if err := closeAll([]*index{ix}); err != nil {
			b.logger.Warn("close index of a deleted file", "err", err)
		}
	}
	return nil, nil
}

func (b *Backend) release(ix *index) {
	b.mu.Lock()
	ix.refs--
	var victims []*index
	if ix.removed && ix.refs == 0 {
		victims = append(victims, ix)
	}
	victims = append(victims, b.evictLocked()...)
	b.mu.Unlock()
	if err := closeAll(victims); err != nil {
		b.logger.Warn("close index", "err", err)
	}
}

// evictLocked removes the least recently used idle indices beyond the bound; indices in
// use stay open even when that exceeds it.
func (b *Backend) evictLocked() []*index {
	var victims []*index
	for e := b.lru.Back(); e != nil && len(b.open) > b.cfg.MaxOpenIndices; {
		ix := e.Value.(*index)
		e = e.Prev()
		if ix.refs == 0 && b.removeLocked(ix) {
			victims = append(victims, ix)
		}
	}
	return victims
}

// removeLocked takes ix out of the cache and reports whether the caller must close it
// now; otherwise its last release does.
func (b *Backend) removeLocked(ix *index) bool {
	b.lru.Remove(ix.elem)
	delete(b.open, ix.name)
	ix.removed = true
	b.m.openIndices.Set(float64(len(b.open)))
	return ix.refs == 0
}

func closeAll(ixs []*index) error {
	var errs []error
	for _, ix := range ixs {
		if err := ix.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close index %s: %w", ix.name, err))
		}
	}
	return errors.Join(errs...)
}
