package gateway

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
)

// shipperStep is one request a shipper configured as in the README's "Ship your logs"
// sends, in order: its connection checks, then its logs.
type shipperStep struct {
	method, target string
	header         map[string]string
	body           []byte
	status         int
	contains       string
}

// TestShipperConfigurations replays what each README snippet makes its shipper send, and
// checks that the records reach the stream the snippet names, under the key's tenant.
func TestShipperConfigurations(t *testing.T) {
	filebeatKey := "ApiKey " + base64.StdEncoding.EncodeToString([]byte("filebeat:demo-in"))
	vectorAuth := basic("vector", "demo-in")
	tests := []struct {
		name   string
		steps  []shipperStep
		stream string
		n      int
	}{
		{"filebeat", []shipperStep{
			{"GET", "/", map[string]string{"Authorization": filebeatKey}, nil, 200, `"number":"8.19.0"`},
			{"GET", "/_license?human=false", map[string]string{"Authorization": filebeatKey}, nil, 200, `"status":"active"`},
			{"POST", "/_bulk", map[string]string{"Authorization": filebeatKey, "Content-Type": "application/json; charset=UTF-8", "Content-Encoding": "gzip"},
				gz(t, ndjson(`{"create":{"_index":"web"}}`, `{"@timestamp":"2026-11-21T09:20:00.000Z","message":"GET / 200","agent":{"type":"filebeat"}}`)), 200, `"errors":false`},
		}, "web", 1},
		{"vector", []shipperStep{
			{"GET", "/_cluster/health", map[string]string{"Authorization": vectorAuth}, nil, 200, `"status":"green"`},
			{"POST", "/_bulk?timeout=60s", map[string]string{"Authorization": vectorAuth, "Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"},
				gz(t, ndjson(`{"index":{"_index":"app"}}`, `{"message":"disk 91% full","host":"node-7"}`, `{"index":{"_index":"app"}}`, `{"message":"disk 92% full","host":"node-7"}`)), 200, `"errors":false`},
		}, "app", 2},
		{"fluent bit", []shipperStep{
			{"POST", "/_bulk", map[string]string{"Authorization": basic("fluentbit", "demo-in"), "Content-Type": "application/x-ndjson"},
				[]byte(ndjson(`{"create":{"_index":"web"}}`, `{"@timestamp":"2026-11-21T09:20:00.000Z","log":"GET / 200"}`)), 200, `"errors":false`},
		}, "web", 1},
		{"promtail", []shipperStep{
			{"POST", "/loki/api/v1/push", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/x-protobuf"},
				lokiPush(map[string][]string{`{filename="/var/log/nginx/access.log", job="web"}`: {"GET / 200"}}, 1700000000), 204, ""},
		}, "web", 1},
		{"otel collector", []shipperStep{
			{"POST", "/v1/logs", map[string]string{"Authorization": "Bearer demo-in", StreamHeader: "app", "Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"},
				gz(t, string(otlpProtobuf(t, "checkout", "payment accepted"))), 200, ""},
		}, "app", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			for _, s := range tt.steps {
				w := f.send(t, s.method, s.target, s.header, s.body)
				require.Equal(t, s.status, w.Code, "%s %s: %s", s.method, s.target, w.Body)
				require.Contains(t, w.Body.String(), s.contains)
			}
			got := f.received(t)
			require.Len(t, got, 1)
			require.Equal(t, "demo", got[0].GetTenantId())
			require.Equal(t, tt.stream, got[0].GetStream())
			require.Len(t, got[0].GetRecords(), tt.n)
		})
	}
}
