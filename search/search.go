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
	// Limit is the number of hits to return, in Order.
	Limit int
	// Order of the hits: newest first (the zero value) or oldest first. Events of the same
	// time come in the order of their event.id, the same on every search.
	Order Order
	// Cursor, from a previous Result.Next of the same query and order, starts the hits
	// after the last one that result returned; Total still counts the whole range.
	Cursor *Cursor
	// Fields, when set, projects each hit's source onto these ECS paths (an object path
	// keeps what is below it).
	Fields []string
	// NoTotal skips counting, for callers that only page through hits; Total is then 0.
	NoTotal bool
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
	// Total counts every match in the range; Hits holds the first Limit of them in the
	// request's order, after its cursor.
	Total int64
	Hits  []Hit
	// Next continues after Hits when more match; nil when Hits hold the last of them.
	Next *Cursor
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
