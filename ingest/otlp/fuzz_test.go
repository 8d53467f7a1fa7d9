package otlp

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"

	"github.com/trolly-logs/trolly/ingest"
)

// FuzzDecode decodes every input in both encodings and checks that errors are
// *ingest.Error, that the limits hold, that JSON records are JSON objects, that every log
// record is either accepted or counted as rejected, and that the response says so.
func FuzzDecode(f *testing.F) {
	if b, err := os.ReadFile("testdata/logs.json"); err == nil {
		f.Add(b)
	}
	kvlist := &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: []*commonpb.KeyValue{kv("a", str("b"))}}}}
	f.Add(marshalPB(f, request([]*commonpb.KeyValue{kv("service.name", str("s"))}, "scope",
		&logspb.LogRecord{Body: str("hello"), TraceId: make([]byte, 16), SpanId: make([]byte, 3)},
		&logspb.LogRecord{Body: kvlist, TimeUnixNano: 1 << 63},
		&logspb.LogRecord{Body: str("a body longer than the limit of the fuzz test")})))
	f.Add(pbEmptyRecords(9))
	f.Add(jsonEmptyRecords(9))
	for _, s := range []string{"", "{}", `{"resource_logs":[{"scope_logs":[{"log_records":[{},{}]}]}]}`,
		`{"resource\u004cogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"]}"}}]}]}]}`, `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"00112233445566778899aabbccddeeff"}]}]}]}`, "\x0a\x00"} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxLineBytes: 32, MaxRecords: 8}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, enc := range []Encoding{Protobuf, JSON} {
			req, err := Decode(body, enc, lim)
			if err != nil {
				var ie *ingest.Error
				require.True(t, errors.As(err, &ie), "%T %v", err, err)
				continue
			}
			require.Len(t, req.Services, len(req.Records))
			counted := countPB(body, 0)
			if enc == JSON {
				counted = countJSON(body, 0)
			}
			require.Equal(t, len(req.Records)+int(req.Rejected), counted, "the count before decoding")
			require.LessOrEqual(t, len(req.Records)+int(req.Rejected), lim.MaxRecords)
			require.Equal(t, req.Rejected > 0, req.RejectMessage != "")
			for _, r := range req.Records {
				require.LessOrEqual(t, len(r.Data), lim.MaxLineBytes)
				if r.JSON {
					var obj map[string]any
					require.NoError(t, json.Unmarshal(r.Data, &obj), "%s", r.Data)
				}
			}
			var resp collogspb.ExportLogsServiceResponse
			require.NoError(t, proto.Unmarshal(req.Response(Protobuf), &resp))
			require.Equal(t, req.Rejected, resp.GetPartialSuccess().GetRejectedLogRecords())
		}
	})
}
