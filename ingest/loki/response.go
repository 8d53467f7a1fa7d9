package loki

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/trolly-logs/trolly/ingest"
)

// Loki answers a push with 204 and no body, and an error with a status and a plain-text
// body (http.Error). Clients retry on 429 and 5xx and drop the batch on any other 4xx, so
// the status is what matters; the text is for the person reading the shipper's log.

// WriteSuccess answers an accepted push: 204 No Content.
func WriteSuccess(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

// WriteError answers a push that could not be decoded: 400 for invalid input, 413 for a
// request over a limit (*ingest.Error of Kind TooLarge).
func WriteError(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), StatusOf(err))
}

// StatusOf is the status Loki answers err with.
func StatusOf(err error) int {
	var ie *ingest.Error
	if errors.As(err, &ie) && ie.Kind == ingest.TooLarge {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// WriteDiscarded answers a push whose other entries were stored although some were
// discarded (req.Discarded > 0): 400 with the first reason, as Loki's distributor does.
func WriteDiscarded(w http.ResponseWriter, req *Request) {
	msg := req.DiscardErr.Error()
	if req.Discarded > 1 {
		msg += fmt.Sprintf(" (%d entries discarded in all)", req.Discarded)
	}
	http.Error(w, msg, http.StatusBadRequest)
}

// WriteRateLimited answers 429 with Retry-After (whole seconds, at least 1), in the words of
// Loki's rate_limited error. limit is the tenant's rate in bytes per second.
func WriteRateLimited(w http.ResponseWriter, retryAfter time.Duration, tenant string, limit, lines, bytes int) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((retryAfter+time.Second-1)/time.Second))))
	http.Error(w, fmt.Sprintf("ingestion rate limit exceeded for user %s (limit: %d bytes/sec) while attempting to ingest %d lines totaling %d bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased",
		tenant, limit, lines, bytes), http.StatusTooManyRequests)
}

// WriteBodyTooLarge answers a body over the gateway's limit: 413, as Loki does.
func WriteBodyTooLarge(w http.ResponseWriter, size, limit int64) {
	http.Error(w, fmt.Sprintf("Request body too large: %d bytes, limit: %d bytes", size, limit), http.StatusRequestEntityTooLarge)
}
