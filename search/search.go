package search

import (
	"context"
	"time"

	"github.com/trolly-logs/trolly/search/query"
)

// Doc is one event to index.
type Doc struct {
	// ID is the event.id; writing the same ID again changes nothing.
	ID        string
	Timestamp time.Time
	// Source is the ECS JSON document.
	Source []byte
}

// Request is one search within one tenant's indices.
type Request struct {
	// Tenant is the key (tenant.Tenant.Key) of the caller's tenant, from its credential;
	// only its indices are read.
	Tenant string
	// Query must match; nil matches every event.
	Query query.Node
	// From is inclusive and To exclusive.
	From, To time.Time
	// Limit is the number of hits to return, newest first.
	Limit int
}

// Hit is one matching event.
type Hit struct {
	ID        string
	Index     string
	Timestamp time.Time
	Source    []byte
}

// Result answers a Request.
type Result struct {
	// Total counts every match in the range; Hits holds the newest Limit of them.
	Total int64
	Hits  []Hit
}

// Backend stores and searches indices.
type Backend interface {
	// Write adds docs to the named index (see IndexName), creating it if needed. It returns
	// once the docs are durable; docs whose ID the index already holds are skipped.
	Write(ctx context.Context, index string, docs []Doc) error
	// Search reads only req.Tenant's indices that overlap [req.From, req.To).
	Search(ctx context.Context, req Request) (Result, error)
	// DropTenant deletes every index of the tenant whose key is tenantKey, returning how
	// many it deleted; other tenants' indices are untouched, even those whose key starts
	// the same.
	DropTenant(ctx context.Context, tenantKey string) (int, error)
	Close() error
}
