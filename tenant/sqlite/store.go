package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/oklog/ulid/v2"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/trolly-logs/trolly/tenant"
)

// busyTimeout is how long a writer waits for another, of this process or another.
const busyTimeout = 5 * time.Second

// Store is the tenant.Catalog in a SQLite file.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

var _ tenant.Catalog = (*Store)(nil)

// Open opens the catalog file at path, creating it and its directory if missing, and
// applies the migrations it lacks.
func Open(ctx context.Context, path string, opts tenant.StoreOptions) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("create catalog directory: %w", err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	s := &Store{db: db, now: opts.Clock()}
	if err := migrate(ctx, db, s.now); err != nil {
		return nil, errors.Join(fmt.Errorf("migrate catalog %s: %w", path, err), db.Close())
	}
	return s, nil
}

// dsn names the file as a URI. Pragmas apply to every connection; busy_timeout comes
// first so that switching to WAL waits for other processes too.
func dsn(path string) string {
	u := url.URL{Scheme: "file", OmitHost: true, Path: path}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Writers take the lock at BEGIN, so two writers wait for each other instead of
	// failing to upgrade a read lock; read-only transactions still begin deferred.
	q.Set("_txlock", "immediate")
	return u.String() + "?" + q.Encode()
}

// Close closes the file; the store's methods fail afterwards.
func (s *Store) Close() error { return s.db.Close() }

// write runs fn in a write transaction.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in a read transaction, which sees one state of the file.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// change is what a change of the catalog records in the audit log; a zero change
// records nothing and keeps the version (a key revoked again).
type change struct {
	action, tenantID, target string
	details                  map[string]string
}

// change runs fn in a write transaction with the store's time, then records the change
// fn reports for actor and advances the version, in the same transaction.
func (s *Store) change(ctx context.Context, actor tenant.Actor, fn func(tx *sql.Tx, now time.Time) (change, error)) error {
	now := stored(s.now())
	return s.write(ctx, func(tx *sql.Tx) error {
		c, err := fn(tx, now)
		if err != nil || c.action == "" {
			return err
		}
		e := tenant.AuditEntry{ID: ulid.Make().String(), At: now, Actor: actor, TenantID: c.tenantID,
			Action: c.action, Target: c.target, Details: c.details}
		if err := insertAudit(ctx, tx, e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE catalog_version SET version = version + 1`); err != nil {
			return fmt.Errorf("advance version: %w", err)
		}
		return nil
	})
}

// exists reports whether query finds a row.
func exists(ctx context.Context, tx *sql.Tx, query string, args ...any) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// affected returns ErrNotFound when res changed no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return dbErr(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return tenant.ErrNotFound
	}
	return nil
}

// dbErr maps constraint violations to the catalog's errors.
func dbErr(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT {
		return err
	}
	if se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return fmt.Errorf("%w: %v", tenant.ErrNotFound, err)
	}
	return fmt.Errorf("%w: %v", tenant.ErrConflict, err)
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return tenant.ErrNotFound
	}
	return err
}

// stored is t as the store keeps it: UTC, microseconds.
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMicro(t.UnixMicro()).UTC()
}

// micros is t as a column value; NULL for the zero time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeOf reads a column of micros.
func timeOf(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// nullString is s as a column value; NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
