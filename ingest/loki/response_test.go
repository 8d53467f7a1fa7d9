package loki

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

func TestResponses(t *testing.T) {
	tests := []struct {
		name   string
		write  func(http.ResponseWriter)
		status int
		body   string
		header map[string]string
	}{
		{"success", WriteSuccess, http.StatusNoContent, "", nil},
		{"invalid", func(w http.ResponseWriter) {
			WriteError(w, ingest.Errorf(ingest.Invalid, 0, "stream 1: error at least one label pair is required per stream"))
		}, http.StatusBadRequest, "stream 1: error at least one label pair is required per stream\n", map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
		{"too many records", func(w http.ResponseWriter) {
			WriteError(w, ingest.Errorf(ingest.TooLarge, 0, "too many"))
		}, http.StatusRequestEntityTooLarge, "too many\n", nil},
		{"discarded", func(w http.ResponseWriter) {
			WriteDiscarded(w, &Request{Discarded: 3, DiscardErr: ingest.Errorf(ingest.Invalid, 0, "max entry size")})
		}, http.StatusBadRequest, "max entry size (3 entries discarded in all)\n", nil},
		{"rate limited", func(w http.ResponseWriter) {
			WriteRateLimited(w, 1500*time.Millisecond, "acme", 4194304, 10, 2048)
		}, http.StatusTooManyRequests,
			"ingestion rate limit exceeded for user acme (limit: 4194304 bytes/sec) while attempting to ingest 10 lines totaling 2048 bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased\n",
			map[string]string{"Retry-After": "2"}},
		{"rate limited without delay", func(w http.ResponseWriter) {
			WriteRateLimited(w, 0, "acme", 1, 1, 1)
		}, http.StatusTooManyRequests, "", map[string]string{"Retry-After": "1"}},
		{"body too large", func(w http.ResponseWriter) {
			WriteBodyTooLarge(w, 5000, 4096)
		}, http.StatusRequestEntityTooLarge, "Request body too large: 5000 bytes, limit: 4096 bytes\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.write(rec)
			require.Equal(t, tt.status, rec.Code)
			if tt.body != "" || tt.status == http.StatusNoContent {
				require.Equal(t, tt.body, rec.Body.String())
			}
			for k, v := range tt.header {
				require.Equal(t, v, rec.Header().Get(k))
			}
		})
	}
}
