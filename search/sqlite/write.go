package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/search"
)

// Write implements search.Backend: it adds docs to the index in one transaction and
// returns once it is committed to disk. Docs whose ID the index holds are skipped. It
// writes nothing, with an error wrapping search.ErrInvalidDoc, when a doc is invalid or
// its timestamp lies outside the day or month of the index: searches pick indices by
// their names, so such a doc could never be found.
func (b *Backend) Write(ctx context.Context, name string, docs []search.Doc) error {
	tenantID, start, end, ok := search.ParseIndexName(name)
	if !ok {
		return fmt.Errorf("write %s: not an index name", name)
	}
	for _, d := range docs {
		if err := d.Validate(); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if d.Timestamp.Before(start) || !d.Timestamp.Before(end) {
			return fmt.Errorf("write %s: doc %s: timestamp %s outside the index: %w",
				name, d.ID, d.Timestamp.UTC().Format(time.RFC3339Nano), search.ErrInvalidDoc)
		}
	}
	if len(docs) == 0 {
		return nil
	}
	began := time.Now()
	ix, err := b.acquire(ctx, name, true)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer b.release(ix)
	written, err := writeDocs(ctx, ix.db, docs)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	b.m.writeTime.Observe(time.Since(began).Seconds())
	b.m.written.WithLabelValues(tenantID).Add(float64(written))
	b.m.duplicates.WithLabelValues(tenantID).Add(float64(len(docs) - written))
	return nil
}

// writeDocs inserts docs in one transaction and returns how many were new. The
// transaction holds the write lock from its start, so the events after the last row
// before it are exactly the new ones.
func writeDocs(ctx context.Context, db *sql.DB, docs []search.Doc) (written int, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var last int64
	if err := tx.QueryRowContext(ctx, lastRowSQL).Scan(&last); err != nil {
		return 0, fmt.Errorf("find last event: %w", err)
	}
	insertEvent, err := tx.PrepareContext(ctx, insertEventSQL)
	if err != nil {
		return 0, fmt.Errorf("prepare: %w", err)
	}
	insertDoc, err := tx.PrepareContext(ctx, insertDocSQL)
	if err != nil {
		return 0, fmt.Errorf("prepare: %w", err)
	}
	for _, d := range docs {
		res, err := insertEvent.ExecContext(ctx, d.ID, d.Timestamp.UnixNano())
		if err != nil {
			return 0, fmt.Errorf("insert event %s: %w", d.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			continue // the index holds the id
		}
		if _, err := insertDoc.ExecContext(ctx, d.Source); err != nil {
			return 0, fmt.Errorf("insert doc %s: %w", d.ID, err)
		}
		written++
	}
	if written > 0 {
		if _, err := tx.ExecContext(ctx, indexTextSQL, last); err != nil {
			return 0, fmt.Errorf("index text: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return written, nil
}
