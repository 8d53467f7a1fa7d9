package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresURL is the PostgreSQL of the machine, from TROLLY_TEST_POSTGRES_DSN or the default.
func postgresURL() string {
	if u := os.Getenv("TROLLY_TEST_POSTGRES_DSN"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// postgresCatalog makes a database of the test's own, dropped after it, and returns the
// metadata section that points trolly at it.
func postgresCatalog(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, postgresURL())
	if err != nil {
		needServer(t, "PostgreSQL at 127.0.0.1:5432", err.Error())
	}
	defer conn.Close(ctx)
	name := randomName("trolly_e2e_")
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	if err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, postgresURL()); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(postgresURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return fmt.Sprintf("metadata: {driver: postgres, dsn: %q}", u.String())
}
