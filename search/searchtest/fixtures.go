package searchtest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
)

// The two tenants differ only after a dash, and keep different index granularities.
const (
	acme              = "acme"
	acmeRetention     = 7 // daily indices
	acmeCorp          = "acme-corp"
	acmeCorpRetention = 90 // monthly indices
	// acmeAgain is the key of a tenant acme made again after acme's deletion.
	acmeAgain = "acme.7"
)

// fixture is one event of the suite. Timestamps have millisecond precision, which every
// backend keeps.
type fixture struct {
	tenant  string
	id      string
	ts      time.Time
	dataset string
	message string
	fields  map[string]any // dotted ECS paths, nested in the document
}

// at is a UTC time with milliseconds.
func at(y int, mo time.Month, d, h, mi, s, ms int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ms*int(time.Millisecond), time.UTC)
}

// fixtures spans four days around a month boundary for acme (four daily indices) and
// three months for acme-corp (three monthly indices).
var fixtures = []fixture{
	{acme, "acme-01", at(2024, 1, 30, 23, 59, 59, 999), "nginx.access",
		`203.0.113.7 - - [30/Jan/2024:23:59:59 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"`,
		map[string]any{"host.name": "web-01", "source.ip": "203.0.113.7", "http.request.method": "GET",
			"http.response.status_code": 200, "http.response.body.bytes": 5120, "url.path": "/index.html",
			"user_agent.original": "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"}},
	{acme, "acme-02", at(2024, 1, 31, 0, 0, 0, 0), "system.auth",
		"Failed password for invalid user admin from 198.51.100.23 port 52814 ssh2",
		map[string]any{"host.name": "bastion-1", "process.name": "sshd", "process.pid": 24200, "user.name": "admin",
			"source.ip": "198.51.100.23", "source.port": 52814, "event.outcome": "failure"}},
	{acme, "acme-03", at(2024, 1, 31, 8, 15, 2, 250), "nginx.error",
		`upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.7, server: shop.example.com, request: "GET /api/orders?id=42 HTTP/1.1"`,
		map[string]any{"host.name": "web-02", "log.level": "error", "url.path": "/api/orders",
			"url.original": "/api/orders?id=42", "http.response.status_code": 504, "source.ip": "203.0.113.7"}},
	{acme, "acme-04", at(2024, 1, 31, 12, 0, 0, 0), "nginx.access",
		`198.51.100.23 - - [31/Jan/2024:12:00:00 +0000] "POST /login HTTP/1.1" 401 31 "-" "curl/8.5.0"`,
		map[string]any{"host.name": "web-01", "source.ip": "198.51.100.23", "http.request.method": "POST",
			"http.response.status_code": 401, "http.response.body.bytes": 31, "url.path": "/login",
			"user_agent.original": "curl/8.5.0"}},
	{acme, "acme-05", at(2024, 2, 1, 0, 0, 0, 0), "nginx.access",
		`10.1.0.4 - - [01/Feb/2024:00:00:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"`,
		map[string]any{"host.name": "web-02", "source.ip": "10.1.0.4", "http.request.method": "GET",
			"http.response.status_code": 200, "http.response.body.bytes": 2, "url.path": "/healthz",
			"user_agent.original": "kube-probe/1.29"}},
	{acme, "acme-06", at(2024, 2, 1, 9, 30, 0, 500), "nginx.access",
		"\x01\x02 garbled record ??? 0xDEADBEEF",
		map[string]any{"tags": []string{"_parse_failure"},
			"error.message": "no pattern of source type nginx_access matched"}},
	{acme, "acme-07", at(2024, 2, 2, 17, 45, 0, 0), "payments.app",
		"payment declined for order 4711: insufficient funds",
		map[string]any{"service.name": "payments", "log.level": "warn", "labels.order_id": "4711",
			"http.response.status_code": 402, "event.duration": 1500000, "tags": []string{"billing", "declined"}}},
	{acme, "acme-08", at(2024, 2, 2, 23, 59, 59, 0), "system.auth",
		"Connection closed by authenticating user root 192.0.2.10 port 40022 [preauth]",
		map[string]any{"host.name": "bastion-1", "process.name": "sshd", "user.name": "root",
			"source.ip": "192.0.2.10", "source.port": 40022}},

	{acmeCorp, "corp-01", at(2024, 1, 31, 10, 0, 0, 0), "nginx.access",
		`203.0.113.50 - - [31/Jan/2024:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 913 "-" "Mozilla/5.0"`,
		map[string]any{"host.name": "web-01", "http.response.status_code": 200, "url.path": "/index.html"}},
	{acmeCorp, "corp-02", at(2024, 2, 1, 11, 0, 0, 0), "system.auth",
		"Failed password for root from 203.0.113.99 port 22 ssh2",
		map[string]any{"host.name": "gw", "process.name": "sshd", "user.name": "root"}},
	{acmeCorp, "corp-03", at(2024, 2, 15, 0, 0, 0, 0), "nginx.error",
		"upstream timed out (110: Connection timed out) while connecting to upstream",
		map[string]any{"host.name": "web-02", "log.level": "error", "http.response.status_code": 504}},
	{acmeCorp, "corp-04", at(2024, 3, 1, 0, 0, 0, 0), "nginx.access",
		"<<< not a log line >>>",
		map[string]any{"tags": []string{"_parse_failure"}, "error.message": "no pattern matched"}},
}

// source builds the ECS document of f, with the fields every event carries.
func (f fixture) source(t testing.TB) []byte {
	doc := map[string]any{}
	set := func(path string, v any) {
		m := doc
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[keys[len(keys)-1]] = v
	}
	set("@timestamp", f.ts.UTC().Format(time.RFC3339Nano))
	set("message", f.message)
	set("event.id", f.id)
	set("event.dataset", f.dataset)
	set("event.ingested", f.ts.Add(1500*time.Millisecond).UTC().Format(time.RFC3339Nano))
	set("organization.id", f.tenant)
	set("data_stream.type", "logs")
	set("data_stream.dataset", f.dataset)
	set("data_stream.namespace", "default")
	set("ecs.version", "8.11.0")
	for k, v := range f.fields {
		set(k, v)
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err, f.id)
	return b
}

func (f fixture) doc(t testing.TB) search.Doc {
	return search.Doc{ID: f.id, Timestamp: f.ts, Source: f.source(t)}
}

func (f fixture) index() string {
	if f.tenant == acmeCorp {
		return search.IndexName(f.tenant, f.ts, acmeCorpRetention)
	}
	return search.IndexName(f.tenant, f.ts, acmeRetention)
}

func fixtureByID(t testing.TB, id string) fixture {
	for _, f := range fixtures {
		if f.id == id {
			return f
		}
	}
	require.FailNow(t, "no fixture "+id)
	return fixture{}
}
