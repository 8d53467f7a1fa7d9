// Package sqlite is the tenant.Catalog in one SQLite file, for a single machine: the
// gateway, API and processor processes of that machine open the same file.
//
// The file is in WAL mode, so that readers never wait for the writer; writers begin
// their transactions IMMEDIATE and wait for each other (busy_timeout) rather than fail
// to upgrade a read lock. The schema comes from the embedded migrations, applied at Open.
package sqlite
