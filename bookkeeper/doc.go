// Package bookkeeper keeps each tenant's stored data in line with the catalog. Today it
// purges the data of deleted tenants: the catalog fences a deleted tenant's data at once
// (no tenant has its key any more, so nothing reads it) and leaves a tombstone, and a
// Purger removes what is filed under the key, part by part (search indices, archive
// objects), each in the process that owns that part.
package bookkeeper
