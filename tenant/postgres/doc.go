// Package postgres is the tenant.Catalog over PostgreSQL (pgx v5), for deployments with
// several machines: every process shares one database. Open applies the embedded
// migrations under an advisory lock, so that processes starting together migrate once.
// Caches poll Version rather than being notified.
package postgres
