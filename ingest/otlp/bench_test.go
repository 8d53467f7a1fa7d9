package otlp

import (
	"fmt"
	"testing"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// benchRequest is 1,000 records as an SDK sends them: a resource of five attributes, a
// scope, and records with a time, a severity, trace context, a text body and three attributes.
func benchRequest(b *testing.B) (pb, js []byte) {
	res := []*commonpb.KeyValue{
		kv("service.name", str("checkout")), kv("service.version", str("1.4.2")), kv("host.name", str("web-3")),
		kv("telemetry.sdk.language", str("go")), kv("telemetry.sdk.version", str("1.47.0")),
	}
	recs := make([]*logspb.LogRecord, 1000)
	for i := range recs {
		recs[i] = &logspb.LogRecord{
			TimeUnixNano:   uint64(1714557600000000000 + i),
			SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO,
			SeverityText:   "INFO",
			TraceId:        []byte("0123456789abcdef"),
			SpanId:         []byte("01234567"),
			Body:           str(fmt.Sprintf("GET /item/%d took %dms for user %d", i, i%300, i*7)),
			Attributes: []*commonpb.KeyValue{
				kv("http.route", str("/item/{id}")),
				kv("http.response.status_code", &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 200}}),
				kv("user.id", str(fmt.Sprint(i*7))),
			},
		}
	}
	req := request(res, "github.com/acme/checkout", recs...)
	js, err := protojson.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	return marshalPB(b, req), js
}

func BenchmarkDecode(b *testing.B) {
	pb, js := benchRequest(b)
	for _, bc := range []struct {
		name string
		enc  Encoding
		body []byte
	}{{"protobuf", Protobuf, pb}, {"json", JSON, js}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				req, err := Decode(bc.body, bc.enc, Limits{MaxLineBytes: 1 << 20, MaxRecords: 10000})
				if err != nil || len(req.Records) != 1000 {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
