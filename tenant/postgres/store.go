package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

// Store is the catalog in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

var _ tenant.Catalog = (*Store)(nil)

// Open connects to the database of dsn (a URL or key=value string, as libpq takes; pgxpool
// parameters such as pool_max_conns apply) and applies the migrations it lacks.
func Open(ctx context.Context, dsn string, opts tenant.StoreOptions) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse catalog dsn: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to catalog: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrate catalog: %w", err)
	}
	return &Store{pool: pool, now: opts.Clock()}, nil
}

// Close closes the connections, waiting for the calls in flight; later calls fail.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// querier is what the reads need of a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// errUnchanged rolls back a change that turned out to change nothing (a key revoked
// again): no audit entry, no new Version.
var errUnchanged = errors.New("unchanged")

// change runs fn in a transaction that advances Version and records the audit entry fn
// returns. Advancing Version first takes the counter's row lock, so that changes of the
// catalog run one at a time and cannot deadlock one another.
func (s *Store) change(ctx context.Context, actor tenant.Actor, fn func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error)) error {
	now := s.clock()
	err := retry(ctx, func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE catalog_version SET version = version + 1`); err != nil {
				return fmt.Errorf("advance catalog version: %w", err)
			}
			e, err := fn(tx, now)
			if err != nil {
				return err
			}
			e.ID, e.At, e.Actor = ulid.Make().String(), now, actor
			return insertAudit(ctx, tx, e)
		})
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// retry runs fn again, up to three times in all, when PostgreSQL aborted it to break a
// deadlock: a tenant's deletion cascading to its keys while TouchKeys updates them may
// lock the same rows in another order.
func retry(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		var pgErr *pgconn.PgError
		if attempt == 3 || ctx.Err() != nil || !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			return err
		}
	}
}

// clock returns the store's time as stored: UTC, to the microsecond.
func (s *Store) clock() time.Time { return dbTime(s.now()) }

func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime is the column value of an optional time: NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return dbTime(t)
}

// fromNull is the time of an optional column; the zero time for NULL.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullString is the column value of an optional id: NULL for "".
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// classify maps constraint violations to the catalog's errors: a taken key is
// ErrConflict, a missing referenced row (a plan, a tenant, a user) is missing.
func classify(err error, missing error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "23505":
		return fmt.Errorf("%w (%s)", tenant.ErrConflict, pgErr.ConstraintName)
	case "23503":
		return fmt.Errorf("%w (%s)", missing, pgErr.ConstraintName)
	}
	return err
}

// notFound turns pgx.ErrNoRows into tenant.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return tenant.ErrNotFound
	}
	return err
}

// Version returns the catalog's change counter.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, `SELECT version FROM catalog_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read catalog version: %w", err)
	}
	return v, nil
}
