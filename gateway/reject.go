package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/trolly-logs/trolly/ingest"
	"github.com/trolly-logs/trolly/queue"
)

// rejection is a refused request: its status, a stable code and a reason.
type rejection struct {
	status     int
	code       string
	msg        string
	line       int
	retryAfter time.Duration
	// cause is the decoding error, for protocols that answer it in their own words.
	cause error
}

func (r *rejection) Error() string { return r.msg }

func reject(status int, code, format string, args ...any) *rejection {
	return &rejection{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// fromIngest maps bad input to its status: one place for every protocol.
func fromIngest(err error) *rejection {
	var ie *ingest.Error
	if !errors.As(err, &ie) {
		return reject(http.StatusBadRequest, "invalid_body", "%v", err)
	}
	r := reject(http.StatusBadRequest, "invalid_body", "%s", ie.Msg)
	if ie.Kind == ingest.TooLarge {
		r.status, r.code = http.StatusRequestEntityTooLarge, "too_large"
	}
	r.line = ie.Line
	r.cause = err
	return r
}

// fromPublish maps a queue error: full or closed queues ask the shipper to come back.
func (g *Gateway) fromPublish(err error) *rejection {
	if errors.Is(err, queue.ErrTooLarge) {
		return reject(http.StatusRequestEntityTooLarge, "too_large", "the batch is larger than the queue can hold: send smaller requests")
	}
	r := reject(http.StatusServiceUnavailable, "unavailable", "the queue is unavailable, retry later")
	if errors.Is(err, queue.ErrFull) {
		r.msg = "the queue is full, retry later"
	}
	r.retryAfter = g.cfg.RetryAfter
	return r
}

// reasonBacklog is the code of a refusal because the queue's backlog is over its budget.
const reasonBacklog = "backlog_full"

// reasonTenantBacklog is the code of a refusal because the tenant's share of the backlog is
// over its budget.
const reasonTenantBacklog = "tenant_backlog_full"

// checkTenantBacklog refuses n more bytes of tenant when its share of the queue's backlog
// would pass its budget (its plan's max_backlog_bytes, else the queue's), so that one
// tenant's flood cannot fill the backlog all share; the others' input goes on. A tenant
// with nothing queued is never refused, so that a batch larger than the budget is not
// refused for ever.
func (g *Gateway) checkTenantBacklog(o owner, n int) *rejection {
	tb, ok := g.q.(queue.TenantBacklogger)
	if !ok {
		return nil
	}
	b := tb.TenantBacklog(o.id)
	if o.backlog > 0 {
		b.Budget = o.backlog
	}
	if bl, ok := g.q.(queue.Backlogger); ok && b.Budget >= bl.Backlog().Budget {
		return nil // a share as large as the whole is no share: the total's check decides
	}
	if b.Bytes == 0 || !b.Over(int64(n)) {
		return nil
	}
	r := reject(http.StatusTooManyRequests, reasonTenantBacklog,
		"the tenant's backlog of data not yet stored is over its budget (it sends faster than storage takes it), retry later")
	r.retryAfter = g.cfg.RetryAfter
	return r
}

// checkBacklog refuses n more bytes when the queue's backlog would pass its budget: the
// sinks are not keeping up (a store that fails, a full disk), and what is accepted now
// could not be kept. Backends without a budget never refuse here.
func (g *Gateway) checkBacklog(n int) *rejection {
	bl, ok := g.q.(queue.Backlogger)
	if !ok || !bl.Backlog().Over(int64(n)) {
		return nil
	}
	r := reject(http.StatusServiceUnavailable, reasonBacklog,
		"the backlog of data not yet stored is over its budget (storage is not keeping up), retry later")
	r.retryAfter = g.cfg.RetryAfter
	return r
}
