// Package storage archives events to object storage: zstd-compressed NDJSON chunks at
// <tenant>/<stream>/<yyyy>/<mm>/<dd>/<hh>/<chunk-ulid>.ndjson.zst.
//
// The Bucket interface lives here; backends are children (storage/fs, ...) and all pass
// the conformance suite in storage/storagetest.
package storage
