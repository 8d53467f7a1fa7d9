package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

const schemaVersion = 1

// events is narrow, so that counting and sorting by time read few pages; docs holds the
// documents as JSONB, parsed once when written rather than at every query. fts is
// contentless (it stores only the index) and shares the events' rowid. Text values other
// than the message go to body, except timestamps, whose digits would match most numbers.
var schema = []string{
	`CREATE TABLE events (
		rid INTEGER PRIMARY KEY,
		id  TEXT NOT NULL UNIQUE,
		ts  INTEGER NOT NULL
	) STRICT`,
	`CREATE INDEX events_ts ON events (ts)`,
	`CREATE TABLE docs (
		rid INTEGER PRIMARY KEY,
		doc BLOB NOT NULL
	) STRICT`,
	`CREATE VIRTUAL TABLE fts USING fts5 (message, body, content = '', contentless_delete = 1,
		tokenize = 'unicode61 remove_diacritics 2')`,
	fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion),
}

const (
	lastRowSQL     = `SELECT coalesce(max(rid), 0) FROM events`
	insertEventSQL = `INSERT INTO events (id, ts) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING`
	insertDocSQL   = `INSERT INTO docs (rid, doc) VALUES (last_insert_rowid(), jsonb(?1))`
	// indexTextSQL indexes the events added after row ?1 in one statement: FTS5 flushes its
	// pending terms at every statement, so one statement per event would cost a segment
	// and merges per event.
	indexTextSQL = `INSERT INTO fts (rowid, message, body)
		SELECT d.rid, d.doc ->> '$.message',
			(SELECT group_concat(t.atom, ' ') FROM json_tree(d.doc) t WHERE t.type = 'text'
				AND t.fullkey NOT IN ('$.message', '$."@timestamp"', '$.event.ingested'))
		FROM docs d WHERE d.rid > ?1`
)

// errMissing is returned when opening, without creating, an index that has no file.
var errMissing = errors.New("index file does not exist")

// dsn names the file as a URI so that SQLite applies mode=rw: a search must never create
// an empty file where the bookkeeper just deleted one.
func dsn(path string, busy time.Duration) string {
	u := url.URL{Scheme: "file", OmitHost: true, Path: path}
	q := url.Values{}
	q.Set("mode", "rw")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "synchronous(FULL)")
	// Writers take the lock at BEGIN, so two writers wait for each other instead of
	// failing to upgrade a read lock; read-only transactions still begin deferred.
	q.Set("_txlock", "immediate")
	return u.String() + "?" + q.Encode()
}

// createFile makes the index file at path unless it exists. It builds the schema in a
// temporary file and links it into place, so that no reader, in this process or another,
// ever opens a file without tables, and a concurrent creator loses without harm.
func createFile(ctx context.Context, path string, busy time.Duration) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
			_ = os.Remove(p)
		}
	}()
	if err := f.Close(); err != nil {
		return err
	}
	if err := initSchema(ctx, tmp, busy); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func initSchema(ctx context.Context, path string, busy time.Duration) (err error) {
	db, err := sql.Open("sqlite", dsn(path, busy))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return fmt.Errorf("set WAL mode: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, stmt := range schema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	return tx.Commit()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// openFile opens an existing index file and checks its schema version.
func openFile(ctx context.Context, path string, cfg Config) (*sql.DB, os.FileInfo, error) {
	file, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, errMissing
	}
	if err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, cfg.BusyTimeout))
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(cfg.MaxConnsPerIndex)
	db.SetMaxIdleConns(min(2, cfg.MaxConnsPerIndex))
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return nil, nil, errors.Join(err, db.Close())
	}
	if version != schemaVersion {
		return nil, nil, errors.Join(fmt.Errorf("schema version %d, want %d", version, schemaVersion), db.Close())
	}
	return db, file, nil
}
