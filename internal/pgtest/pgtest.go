// Package pgtest gives tests a PostgreSQL database of their own, on the server at
// TROLLY_TEST_POSTGRES_DSN or postgres://postgres@127.0.0.1:5432/postgres. Where the server
// is unreachable the test is skipped with a message, or fails when CI=true.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// AdminDSN is the server the tests make their databases on.
func AdminDSN() string {
	if dsn := os.Getenv("TROLLY_TEST_POSTGRES_DSN"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

// NewDatabase creates an empty database with options for CREATE DATABASE (may be ""),
// dropped when the test ends, and returns its DSN.
func NewDatabase(t testing.TB, options string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminDSN())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI (see scripts/services): connect to %s: %v", AdminDSN(), err)
		}
		t.Skipf("PostgreSQL unreachable at %s (start it with scripts/services, or set TROLLY_TEST_POSTGRES_DSN): %v", AdminDSN(), err)
	}
	defer admin.Close(context.Background())
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "trolly_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` `+options); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, AdminDSN())
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	dsn, err := WithDatabase(AdminDSN(), name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// WithDatabase returns dsn (a URL or key=value pairs) naming database name instead.
func WithDatabase(dsn, name string) (string, error) {
	if !strings.Contains(dsn, "://") {
		return dsn + " dbname=" + name, nil // a later keyword wins
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}
