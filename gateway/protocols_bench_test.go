package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkProtocols measures each shipper protocol from request to queue confirmation, 1000
// access lines a request, with a consumer acknowledging behind it as the processor would.
func BenchmarkProtocols(b *testing.B) {
	const lines = 1000
	line := func(i int) string {
		return fmt.Sprintf(`10.0.%d.%d - - [21/Nov/2026:10:15:00 +0100] \"GET /item/%d HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\"`, i/250, i%250, i)
	}
	var es, lokiJSON, hecEvents bytes.Buffer
	otlpBodies := make([]string, lines)
	lokiJSON.WriteString(`{"streams":[{"stream":{"job":"web","host":"h1"},"values":[`)
	for i := range lines {
		fmt.Fprintf(&es, "{\"create\":{\"_index\":\"web\"}}\n{\"message\":\"%s\"}\n", line(i))
		if i > 0 {
			lokiJSON.WriteByte(',')
		}
		fmt.Fprintf(&lokiJSON, `["17000000000000%05d","%s"]`, i, line(i))
		fmt.Fprintf(&hecEvents, `{"time":1700000000,"host":"h1","index":"web","event":"%s"}`+"\n", line(i))
		otlpBodies[i] = strings.ReplaceAll(line(i), `\"`, `'`)
	}
	lokiJSON.WriteString(`]}]}`)
	tests := []struct {
		name, target string
		header       map[string]string
		body         []byte
		status       int
	}{
		{"esbulk", "/_bulk", map[string]string{"Authorization": "ApiKey demo-in"}, es.Bytes(), http.StatusOK},
		{"loki", "/loki/api/v1/push", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json"}, lokiJSON.Bytes(), http.StatusNoContent},
		{"otlp", "/v1/logs", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json"}, []byte(otlpJSON("web", otlpBodies...)), http.StatusOK},
		{"hec", "/services/collector/event", map[string]string{"Authorization": "Splunk demo-in"}, hecEvents.Bytes(), http.StatusOK},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			f := newFixture(b, 0, func(c *Config) { c.MaxBodyBytes, c.MaxLineBytes = 10<<20, 1<<20 })
			f.gw.now = time.Now // a frozen clock would spend the tenant's burst for good
			f.ackAll(b)
			h := f.gw.Handler()
			b.ReportAllocs()
			b.SetBytes(int64(len(tt.body)))
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, tt.target, bytes.NewReader(tt.body))
				for k, v := range tt.header {
					req.Header.Set(k, v)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != tt.status || bytes.Contains(w.Body.Bytes(), []byte(`"errors":true`)) {
					b.Fatalf("status %d: %.300s", w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
