package sqlite

import (
	"container/list"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/search"
)

// ErrClosed is returned by calls on a closed Backend.
var ErrClosed = errors.New("search backend closed")

const fileSuffix = ".db"

// Backend is the embedded search backend. It is safe for concurrent use.
type Backend struct {
	cfg    Config
	logger *slog.Logger
	m      *metrics

	// create serialises the creation of index files within this process.
	create sync.Mutex

	mu     sync.Mutex
	open   map[string]*index
	lru    list.List // of *index, most recently used first
	closed bool
}

// index is one open index file, shared by the calls that hold a reference. Once removed
// from the cache it closes when the last reference is released.
type index struct {
	name    string
	db      *sql.DB
	file    os.FileInfo // identifies the file, to notice it was deleted or replaced
	refs    int
	elem    *list.Element
	removed bool
}

var _ search.Backend = (*Backend)(nil)

// Open returns a backend over cfg.Dir, creating the directory if needed. Zero fields of
// cfg take their defaults; a nil reg registers no metrics.
func Open(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Backend, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sqlite search config: %w", err)
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("sqlite search dir %s: %w", cfg.Dir, err)
	}
	cfg.Dir = dir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create search dir %s: %w", dir, err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Backend{
		cfg:    cfg,
		logger: logger.With("component", "search-sqlite"),
		m:      newMetrics(reg),
		open:   map[string]*index{},
	}, nil
}

// Close closes the index files; those in use close when their call ends.
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	var idle []*index
	for _, ix := range b.open {
		if b.removeLocked(ix) {
			idle = append(idle, ix)
		}
	}
	b.mu.Unlock()
	return closeAll(idle)
}

func (b *Backend) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

func (b *Backend) path(name string) string { return filepath.Join(b.cfg.Dir, name+fileSuffix) }
