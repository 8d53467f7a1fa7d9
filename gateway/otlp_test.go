package gateway

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// otlpJSON is an ExportLogsServiceRequest in OTLP's JSON mapping: one resource of service,
// one record per body.
func otlpJSON(service string, bodies ...string) string {
	recs := make([]string, len(bodies))
	for i, b := range bodies {
		recs[i] = fmt.Sprintf(`{"timeUnixNano":"1700000000%09d","severityText":"INFO","body":{"stringValue":%q}}`, i, b)
	}
	return `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"` + service +
		`"}}]},"scopeLogs":[{"scope":{"name":"test"},"logRecords":[` + strings.Join(recs, ",") + `]}]}]}`
}

func otlpProtobuf(t *testing.T, service string, bodies ...string) []byte {
	t.Helper()
	recs := make([]*logspb.LogRecord, len(bodies))
	for i, b := range bodies {
		recs[i] = &logspb.LogRecord{
			TimeUnixNano:   uint64(1700000000000000000 + i),
			SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_ERROR,
			Body:           &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: b}},
		}
	}
	m := &collogspb.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			{Key: "service.name", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: service}}},
			{Key: "host.name", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "h1"}}},
		}},
		ScopeLogs: []*logspb.ScopeLogs{{LogRecords: recs}},
	}}}
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestOTLP(t *testing.T) {
	tests := []struct {
		name, contentType string
		body              []byte
	}{
		{"protobuf gzip", "application/x-protobuf", gz(t, string(otlpProtobuf(t, "app", "a", "b")))},
		{"json gzip", "application/json", gz(t, otlpJSON("app", "a", "b"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.send(t, http.MethodPost, "/v1/logs", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": tt.contentType, "Content-Encoding": "gzip"}, tt.body)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.Equal(t, tt.contentType, w.Header().Get("Content-Type"))
			got := f.received(t)
			require.Len(t, got, 1)
			require.Equal(t, "demo", got[0].GetTenantId())
			require.Equal(t, "app", got[0].GetStream())
			recs := got[0].GetRecords()
			require.Len(t, recs, 2)
			require.Equal(t, "b", string(recs[1].GetData()))
			require.Equal(t, "app", recs[1].GetFields()["service.name"])
			require.Equal(t, "2023-11-14T22:13:20.000000001Z", recs[1].GetFields()["@timestamp"])
			require.Equal(t, 2.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("demo", "otlp")))
		})
	}
}

// otlpStatus decodes an OTLP error answer, a google.rpc.Status in JSON.
func otlpStatus(t *testing.T, body []byte) (int32, string) {
	t.Helper()
	s := &statuspb.Status{}
	require.NoError(t, protojson.Unmarshal(body, s), string(body))
	return s.GetCode(), s.GetMessage()
}

func TestOTLPRefused(t *testing.T) {
	tests := []struct {
		name, key, contentType string
		body                   string
		status                 int
		grpc                   codes.Code
		msg, reason            string
	}{
		{"no key", "", "application/json", otlpJSON("app", "a"), 401, codes.Unauthenticated, "Bearer", "unauthenticated"},
		{"read key", "demo-rd", "application/json", otlpJSON("app", "a"), 403, codes.PermissionDenied, "may not ingest", "forbidden"},
		{"content type", "demo-in", "text/plain", otlpJSON("app", "a"), 415, codes.InvalidArgument, "application/x-protobuf", "unsupported_media_type"},
		{"no service", "demo-in", "application/json", otlpJSON("", "a"), 400, codes.InvalidArgument, "service.name", "no_stream"},
		{"unknown service", "demo-in", "application/json", otlpJSON("unknown_service:java", "a"), 404, codes.NotFound, `"unknown_service:java" not found`, "not_found"},
		{"too many records", "demo-in", "application/json", otlpJSON("app", "a", "b", "c"), 413, codes.ResourceExhausted, "over the limit of 2", "too_large"},
		{"body too large", "demo-in", "application/json", otlpJSON("app", strings.Repeat("x", 1000)), 413, codes.ResourceExhausted, "1000 bytes", "too_large"},
		{"not json", "demo-in", "application/json", `{"resourceLogs":`, 400, codes.InvalidArgument, "", "invalid_body"},
		{"rate limited", "slow-in", "application/json", otlpJSON("web", "a"), 429, codes.ResourceExhausted, "rate", "rate_limited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, func(c *Config) { c.MaxRecords = 2 })
			f.gw.limits.get(mustTenant(t, f, "slow")).AllowN(f.now, 1000)
			h := map[string]string{"Content-Type": tt.contentType}
			if tt.key != "" {
				h["Authorization"] = "Bearer " + tt.key
			}
			w := f.send(t, http.MethodPost, "/v1/logs", h, []byte(tt.body))
			require.Equal(t, tt.status, w.Code, w.Body.String())
			code, msg := otlpStatus(t, w.Body.Bytes())
			require.Equal(t, int32(tt.grpc), code)
			require.Contains(t, msg, tt.msg)
			if tt.status == http.StatusTooManyRequests {
				require.Equal(t, "1", w.Header().Get("Retry-After"))
			}
			tenantID := map[string]string{"demo-in": "demo", "demo-rd": "demo", "slow-in": "slow"}[tt.key]
			require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues(tenantID, "otlp", tt.reason)))
			require.Empty(t, f.received(t))
		})
	}
}

func TestOTLPPartialSuccess(t *testing.T) {
	f := newFixture(t, 0, nil)
	body := `{"resourceLogs":[` + strings.TrimSuffix(strings.TrimPrefix(otlpJSON("app", "a"), `{"resourceLogs":[`), "]}") + "," +
		strings.TrimSuffix(strings.TrimPrefix(otlpJSON("billing", "b", "c"), `{"resourceLogs":[`), "]}") + "]}"
	w := f.send(t, http.MethodPost, "/v1/logs", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json"}, []byte(body))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	resp := &collogspb.ExportLogsServiceResponse{}
	require.NoError(t, protojson.Unmarshal(w.Body.Bytes(), resp))
	require.Equal(t, int64(2), resp.GetPartialSuccess().GetRejectedLogRecords())
	require.Contains(t, resp.GetPartialSuccess().GetErrorMessage(), `stream "billing" not found`)
	got := f.received(t)
	require.Len(t, got, 1)
	require.Len(t, got[0].GetRecords(), 1)
	require.Equal(t, 2.0, testutil.ToFloat64(f.gw.metrics.droppedRecords.WithLabelValues("demo", "otlp", "not_found")))
}
