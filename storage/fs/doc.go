// Package fs is the storage.Bucket on a local file system, the archive of the embedded
// deployment. Each key is a file under the root directory; an object appears under its key
// only once it is complete and synced, so a crash never leaves a partial object visible.
//
// Unlike an object store, a file system cannot hold both "a/b" and "a/b/c": Put of one
// fails while the other exists. The archive layout never needs both.
package fs
