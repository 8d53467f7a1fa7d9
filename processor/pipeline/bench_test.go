package pipeline

import (
	"bytes"
	"testing"

	"github.com/trolly-logs/trolly/internal/corpustest"
	"github.com/trolly-logs/trolly/processor/ecs"
)

func corpusLines(b *testing.B, name string) [][]byte {
	data := corpustest.ReadFile(b, name)
	var lines [][]byte
	for l := range bytes.Lines(data) {
		lines = append(lines, bytes.TrimRight(l, "\r\n"))
	}
	return lines
}

// typical is a five-step pipeline as a tenant writes one.
const typical = `[
	{"set": {"field": "service.name", "value": "shop"}},
	{"rename": {"field": "msg_id", "to": "labels.msg_id"}},
	{"remove": {"fields": ["agent"]}},
	{"drop": {"if": "url.path:/healthz"}},
	{"redact": {"builtins": ["email", "credit_card", "url_password", "bearer_token"]}}
]`

// build fills d as a source type and the processor would for an access log line.
func build(d *ecs.Document, line []byte) {
	d.Reset()
	d.SetBytes("source.ip", line[:12])
	d.SetBytes("http.request.method", []byte("GET"))
	d.SetBytes("url.path", []byte("/api/orders"))
	d.SetInt("http.response.status_code", 200)
	d.SetInt("http.response.body.bytes", 2326)
	d.SetBytes("user_agent.original", []byte("curl/8.5.0"))
	d.SetString("msg_id", "a1b2")
	d.SetString("agent.name", "fluent-bit")
	d.Reserve()
	d.SetRaw("@timestamp", `"2024-01-31T08:15:02.25Z"`)
	d.SetBytes("message", line)
	d.SetString("event.id", "01HNB00000000000000000000-17")
	d.SetRaw("event.ingested", `"2024-01-31T08:15:03Z"`)
	d.SetString("event.dataset", "nginx.access")
	d.SetString("organization.id", "acme")
	d.SetString("data_stream.type", "logs")
	d.SetString("data_stream.dataset", "nginx.access")
	d.SetString("data_stream.namespace", "web")
	d.SetString("ecs.version", "8.17.0")
}

var accessLine = []byte(`203.0.113.7 - - [31/Jan/2024:08:15:02 +0000] "GET /api/orders?id=42 HTTP/1.1" 200 2326 "-" "curl/8.5.0"`)

// BenchmarkRun measures the typical pipeline on an access log event, the building of the
// event included; BenchmarkBuild is that part alone.
func BenchmarkRun(b *testing.B) {
	p, err := Compile([]byte(typical))
	if err != nil {
		b.Fatal(err)
	}
	var d ecs.Document
	b.ReportAllocs()
	b.SetBytes(int64(len(accessLine)))
	for b.Loop() {
		build(&d, accessLine)
		p.Run(&d, nil)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkBuild(b *testing.B) {
	var d ecs.Document
	b.ReportAllocs()
	b.SetBytes(int64(len(accessLine)))
	for b.Loop() {
		build(&d, accessLine)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkRedact masks with every built-in detector: lines of the public samples, which
// hold no secret, and lines that each hold one.
func BenchmarkRedact(b *testing.B) {
	s := redactor(b, `{"builtins":["email","credit_card","bearer_token","url_password"],"patterns":["password=(\\S+)"]}`)
	secrets := [][]byte{
		[]byte("Jan 31 08:15:02 web-1 app[311]: payment by bob@example.com with card 4111 1111 1111 1111 accepted"),
		[]byte(`10.0.0.4 - - [31/Jan/2024:08:15:02 +0000] "GET /x HTTP/1.1" 200 12 "-" "curl" Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig`),
		[]byte("connecting to postgres://app:s3cr3t@db.internal:5432/shop with password=hunter2"),
	}
	for _, tc := range []struct {
		name  string
		lines [][]byte
	}{
		{"openssh", corpusLines(b, "openssh_2k.log")},
		{"apache", corpusLines(b, "apache_2k.log")},
		{"secrets", secrets},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var size int
			for _, l := range tc.lines {
				size += len(l)
			}
			var dst []byte
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, l := range tc.lines {
					dst, _ = s.redact(dst[:0], l)
				}
			}
			b.ReportMetric(float64(b.N*len(tc.lines))/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
