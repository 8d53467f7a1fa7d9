package search

import (
	"context"
	"errors"

	"github.com/trolly-logs/trolly/search/query"
)

// Why a tail ends or is refused. Each has a stable code (TailCode) that crosses process
// boundaries and reaches clients.
var (
	// ErrTailTooSlow ends a tail whose reader fell more than the buffer behind.
	ErrTailTooSlow = errors.New("the tail's reader fell too far behind the indexed events and was cut off")
	// ErrTailTenantLimit refuses a tail when the tenant has search.tail.max_per_tenant open.
	ErrTailTenantLimit = errors.New("too many live tails open for this tenant")
	// ErrTailLimit refuses a tail when the process has search.tail.max_total open.
	ErrTailLimit = errors.New("too many live tails open on the server")
	// ErrTailClosed ends the tails of a stopping indexer.
	ErrTailClosed = errors.New("the indexer is stopping")
)

var tailCodes = []struct {
	err  error
	code string
}{
	{ErrTailTooSlow, "tail_too_slow"},
	{ErrTailTenantLimit, "tail_tenant_limit"},
	{ErrTailLimit, "tail_limit"},
	{ErrTailClosed, "server_stopping"},
}

// TailCode is the stable code of one of the Err* tail errors, or "" for others.
func TailCode(err error) string {
	for _, c := range tailCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// TailError is the error of a stable code, or nil for an unknown code.
func TailError(code string) error {
	for _, c := range tailCodes {
		if c.code == code {
			return c.err
		}
	}
	return nil
}

// TailRequest opens a live tail.
type TailRequest struct {
	// Tenant is the key (tenant.Tenant.Key) of the caller's tenant, from its credential;
	// only its events are seen.
	Tenant string
	// Query must match; nil matches every event.
	Query query.Node
}

// Tailer opens live tails: the events of a tenant that match a query, as they are indexed
// from now on, whatever their @timestamp.
type Tailer interface {
	// Tail opens a tail, or refuses it with ErrTailTenantLimit or ErrTailLimit. ctx bounds
	// the opening only; the tail lasts until Close.
	Tail(ctx context.Context, req TailRequest) (Tail, error)
}

// Tail is one open live tail. It is read by one goroutine.
type Tail interface {
	// Next returns the next matching event, waiting for one while ctx lasts. Events
	// already indexed are returned even when ctx has ended. Once the tail is cut off it
	// returns why (ErrTailTooSlow, ErrTailClosed, or a broken connection's error).
	Next(ctx context.Context) (Hit, error)
	// Close ends the tail and frees its place.
	Close() error
}
