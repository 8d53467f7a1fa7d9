package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkNative measures the native endpoint from request to queue confirmation, with a
// consumer acknowledging behind it as the processor would.
func BenchmarkNative(b *testing.B) {
	f := newFixture(b, 0, func(c *Config) { c.MaxBodyBytes, c.MaxLineBytes = 10<<20, 1<<20 })
	f.ackAll(b)
	var body bytes.Buffer
	const lines = 1000
	for i := range lines {
		fmt.Fprintf(&body, "10.0.%d.%d - - [21/Nov/2026:10:15:00 +0100] \"GET /item/%d HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\"\n", i/250, i%250, i)
	}
	h := f.gw.Handler()
	b.ReportAllocs()
	b.SetBytes(int64(body.Len()))
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/ingest/v1/streams/web", bytes.NewReader(body.Bytes()))
		req.Header.Set("Authorization", "Bearer demo-in")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}
