package otlp

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"

	"github.com/trolly-logs/trolly/ingest"
)

func TestEncodingOf(t *testing.T) {
	tests := []struct {
		ct   string
		want Encoding
		ok   bool
	}{
		{"application/x-protobuf", Protobuf, true},
		{"application/protobuf", Protobuf, true},
		{"application/json", JSON, true},
		{"Application/JSON; charset=utf-8", JSON, true},
		{"text/plain", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.ct, func(t *testing.T) {
			got, ok := EncodingOf(tt.ct)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeProtobuf(t *testing.T) {
	res := []*commonpb.KeyValue{
		kv("service.name", str("checkout")),
		kv("service.version", str("1.4.2")),
		kv("host.name", str("web-3")),
		kv("deployment.environment.name", str("prod")),
		kv("k8s.namespace.name", str("shop")),
		kv("process.pid", &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 4242}}),
		kv("team.owner", str("payments")),
		kv("", str("keyless attributes are skipped")),
	}
	rec := &logspb.LogRecord{
		TimeUnixNano:   1714557600123456789,
		SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_WARN,
		SeverityText:   "warning",
		TraceId:        []byte{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c},
		SpanId:         []byte{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74},
		Body:           str("disk almost full"),
		Attributes: []*commonpb.KeyValue{
			kv("exception.message", str("ENOSPC")),
			kv("code.line.number", &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 17}}),
			kv("team.owner", str("storage")), // the record's attribute wins over the resource's
			kv("ratio", &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: 0.97}}),
		},
	}
	req, err := Decode(marshalPB(t, request(res, "app/log", rec)), Protobuf, Limits{MaxLineBytes: 100, MaxRecords: 10})
	require.NoError(t, err)
	require.Len(t, req.Records, 1)
	require.Equal(t, []string{"checkout"}, req.Services)
	require.Zero(t, req.Rejected)
	r := req.Records[0]
	require.Equal(t, "disk almost full", string(r.Data))
	require.False(t, r.JSON)
	require.Equal(t, map[string]string{
		"service.name":         "checkout",
		"service.version":      "1.4.2",
		"service.environment":  "prod",
		"host.name":            "web-3",
		"kubernetes.namespace": "shop",
		"process.pid":          "4242",
		"labels.team_owner":    "storage",
		"labels.ratio":         "0.97",
		"log.logger":           "app/log",
		"@timestamp":           "2024-05-01T10:00:00.123456789Z",
		"log.level":            "warning",
		"event.severity":       "13",
		"trace.id":             "5b8efff798038103d269b633813fc60c",
		"span.id":              "eee19b7ec3c1b174",
		"error.message":        "ENOSPC",
		"log.origin.file.line": "17",
	}, r.Fields)
}

func TestDecodeJSON(t *testing.T) {
	body, err := os.ReadFile("testdata/logs.json")
	require.NoError(t, err)
	req, err := Decode(body, JSON, Limits{MaxLineBytes: 1000, MaxRecords: 3})
	require.NoError(t, err)
	require.Equal(t, []string{"checkout", "checkout", ""}, req.Services)
	require.Len(t, req.Records, 3)

	first := req.Records[0]
	require.Equal(t, "order 42 placed", string(first.Data))
	require.Equal(t, map[string]string{
		"service.name":        "checkout",
		"service.version":     "1.4.2",
		"host.name":           "web-3",
		"kubernetes.pod.name": "checkout-7d9f",
		"labels.team_owner":   "payments",
		"log.logger":          "github.com/acme/checkout/log",
		"@timestamp":          "2018-12-13T14:51:00.3Z",
		"log.level":           "Information",
		"event.severity":      "10",
		"event.action":        "order.placed",
		"trace.id":            "5b8efff798038103d269b633813fc60c",
		"span.id":             "eee19b7ec3c1b174",
		"labels.order_id":     "42",
		"labels.order_total":  "19.5",
		"labels.gift":         "true",
		"labels.items":        `["a",2]`,
		"error.type":          "none",
	}, first.Fields)

	second := req.Records[1]
	require.True(t, second.JSON)
	require.JSONEq(t, `{"msg":"card \"declined\"\n","code":51,"raw":"AQID"}`, string(second.Data))
	require.Equal(t, "2018-12-13T14:51:01Z", second.Fields["@timestamp"], "observed time when there is no time")
	require.Equal(t, "ERROR2", second.Fields["log.level"], "severity number when there is no text")

	third := req.Records[2]
	require.False(t, third.JSON)
	require.Equal(t, `["x",false]`, string(third.Data))
	require.Empty(t, third.Fields)
}

func TestBodies(t *testing.T) {
	tests := []struct {
		name   string
		body   *commonpb.AnyValue
		want   string
		isJSON bool
	}{
		{"none", nil, "", false},
		{"string", str("a\tb"), "a\tb", false},
		{"int", &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: -7}}, "-7", false},
		{"bool", &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: true}}, "true", false},
		{"bytes", &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: []byte{0xff, 0}}}, "/wA=", false},
		{"kvlist", &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: []*commonpb.KeyValue{
			kv("message", str("hi \x01 \"q\" \\")),
			kv("nested", &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{}}}),
			kv("nan", &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: math.Inf(1)}}),
			kv("null", nil),
		}}}}, `{"message":"hi \u0001 \"q\" \\","nested":{},"nan":"+Inf","null":null}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Decode(marshalPB(t, request(nil, "", &logspb.LogRecord{Body: tt.body})), Protobuf, Limits{})
			require.NoError(t, err)
			require.Len(t, req.Records, 1)
			require.Equal(t, tt.want, string(req.Records[0].Data))
			require.Equal(t, tt.isJSON, req.Records[0].JSON)
			if tt.isJSON {
				require.True(t, json.Valid(req.Records[0].Data))
			}
		})
	}
}

func TestSeverityName(t *testing.T) {
	for n, want := range map[logspb.SeverityNumber]string{0: "", 1: "TRACE", 4: "TRACE4", 5: "DEBUG", 9: "INFO", 12: "INFO4", 13: "WARN", 17: "ERROR", 18: "ERROR2", 21: "FATAL", 24: "FATAL4", 25: ""} {
		require.Equal(t, want, severityName(n), "severity %d", n)
	}
}

func TestRejectedRecords(t *testing.T) {
	recs := []*logspb.LogRecord{
		{Body: str("ok")},
		{Body: str(strings.Repeat("x", 11))},
		{Body: str("bad span"), SpanId: []byte{1, 2, 3}},
		{Body: str("fine too")},
	}
	req, err := Decode(marshalPB(t, request(nil, "", recs...)), Protobuf, Limits{MaxLineBytes: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"ok", "fine too"}, texts(req.Records))
	require.Equal(t, int64(2), req.Rejected)
	require.Equal(t, "resource_logs[0].scope_logs[0].log_records[1]: the body is 11 bytes, over the limit of 10 bytes", req.RejectMessage)

	body := `{"resourceLogs":[{"scopeLogs":[{"logRecords":[
		{"traceId":"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz","body":{"stringValue":"a"}},
		{"spanId":"0102030405060708","body":{"stringValue":"b"}}]}]}]}`
	req, err = Decode([]byte(body), JSON, Limits{})
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, texts(req.Records))
	require.Equal(t, "0102030405060708", req.Records[0].Fields["span.id"])
	require.Equal(t, int64(1), req.Rejected)
	require.Contains(t, req.RejectMessage, "log_records[0]: trace id: \"zzzz")
}

func TestDecodeErrors(t *testing.T) {
	three := marshalPB(t, request(nil, "", &logspb.LogRecord{}, &logspb.LogRecord{}, &logspb.LogRecord{}))
	tests := []struct {
		name string
		body string
		enc  Encoding
		kind ingest.Kind
		msg  string
	}{
		{"protobuf garbage", "\xff\xff\xff", Protobuf, ingest.Invalid, "decode protobuf ExportLogsServiceRequest"},
		{"protobuf invalid utf-8", strings.Replace(string(marshalPB(t, request(nil, "", &logspb.LogRecord{Body: str("QQQ")}))), "QQQ", "\xff\xfe\xfd", 1), Protobuf, ingest.Invalid, "invalid UTF-8"},
		{"json syntax", `{"resourceLogs":[`, JSON, ingest.Invalid, "decode JSON ExportLogsServiceRequest"},
		{"json wrong type", `{"resourceLogs":{}}`, JSON, ingest.Invalid, "decode JSON"},
		{"json bad time", `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"soon"}]}]}]}`, JSON, ingest.Invalid, "soon"},
		{"too many records", string(three), Protobuf, ingest.TooLarge, "more than 2 log records, over the limit of 2 per request"},
		{"unknown encoding", "{}", Encoding(9), ingest.Invalid, "unknown encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.body), tt.enc, Limits{MaxRecords: 2})
			var ie *ingest.Error
			require.True(t, errors.As(err, &ie), "got %v", err)
			require.Equal(t, tt.kind, ie.Kind)
			require.Contains(t, ie.Error(), tt.msg)
		})
	}
}

func TestEmpty(t *testing.T) {
	for _, tt := range []struct {
		body string
		enc  Encoding
	}{{"", Protobuf}, {"{}", JSON}, {`{"resourceLogs":[]}`, JSON}} {
		req, err := Decode([]byte(tt.body), tt.enc, Limits{MaxRecords: 1})
		require.NoError(t, err)
		require.Empty(t, req.Records)
		require.Zero(t, req.Rejected)
	}
}

func texts(recs []ingest.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" backslash \\ tab \t nl \n", "\x00\x1f\x7f", "é ☃ 😀", "bad \xff\xfe utf-8 \xe2\x82"} {
		b := appendString(nil, s)
		require.True(t, json.Valid(b), "%q -> %s", s, b)
		var back string
		require.NoError(t, json.Unmarshal(b, &back))
		std, err := json.Marshal(s)
		require.NoError(t, err)
		var want string
		require.NoError(t, json.Unmarshal(std, &want))
		require.Equal(t, want, back, "as encoding/json does it")
	}
}

func TestUnknownEnumNameIgnored(t *testing.T) {
	// Unknown names are dropped like unknown fields, so a newer client still gets through.
	req, err := Decode([]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"SEVERITY_NUMBER_LOUD","body":{"stringValue":"x"}}]}]}]}`), JSON, Limits{})
	require.NoError(t, err)
	require.Len(t, req.Records, 1)
	require.NotContains(t, req.Records[0].Fields, "log.level")
}
