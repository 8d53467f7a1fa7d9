package ecs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

func TestDocumentJSON(t *testing.T) {
	ts := time.Date(2000, 10, 10, 20, 55, 36, 0, time.UTC)
	tests := []struct {
		name  string
		build func(d *Document)
		want  string
	}{
		{"empty", func(*Document) {}, `{}`},
		{"nested and sorted", func(d *Document) {
			d.SetInt("http.response.status_code", 200)
			d.SetString("message", "hi")
			d.SetString("http.request.method", "GET")
			d.SetTime("@timestamp", ts)
			d.SetRaw("event.category", `["web"]`)
		}, `{"@timestamp":"2000-10-10T20:55:36Z","event":{"category":["web"]},"http":{"request":{"method":"GET"},"response":{"status_code":200}},"message":"hi"}`},
		{"object before a name that extends it", func(d *Document) {
			d.SetInt("a-b", 1)
			d.SetInt("a.c", 2)
			d.SetInt("a0", 3)
		}, `{"a":{"c":2},"a-b":1,"a0":3}`},
		{"escaping and invalid UTF-8", func(d *Document) {
			d.SetBytes("message", []byte("q\"b\\s\x00\x1f\t\r\n\xff\xc3(é€"))
			d.SetString("k\"ey", "\xed\xa0\x80")
		}, `{"k\"ey":"\ufffd\ufffd\ufffd","message":"q\"b\\s\u0000\u001f\t\r\n\ufffd\ufffd(é€"}`},
		{"last value of a path wins", func(d *Document) {
			d.SetString("a.b", "first")
			d.SetInt("a.b", 2)
		}, `{"a":{"b":2}}`},
		{"reserved wins over a later user value", func(d *Document) {
			d.SetString("organization.id", "forged")
			d.Reserve()
			d.SetString("organization.id", "acme")
		}, `{"organization":{"id":"acme"}}`},
		{"value and object: the value moves inside", func(d *Document) {
			d.SetInt("a", 1)
			d.SetInt("a.b", 2)
		}, `{"a":{"_value":1,"b":2}}`},
		{"value and object: a free name is found", func(d *Document) {
			d.SetInt("a", 1)
			d.SetInt("a._value", 3)
			d.SetInt("a.b", 2)
		}, `{"a":{"_value":3,"_value_":1,"b":2}}`},
		{"nested collisions all resolve", func(d *Document) {
			d.SetInt("a.b.c", 3)
			d.SetInt("a.b", 2)
			d.SetInt("a", 1)
		}, `{"a":{"_value":1,"b":{"_value":2,"c":3}}}`},
		{"reserved value and user object: the object moves aside", func(d *Document) {
			d.SetString("message.text", "user")
			d.SetString("message.code", "7")
			d.Reserve()
			d.SetString("message", "line")
		}, `{"message":"line","message_object":{"code":"7","text":"user"}}`},
		{"user value and reserved object: the value moves inside", func(d *Document) {
			d.SetString("event", "login")
			d.Reserve()
			d.SetString("event.id", "b-0")
		}, `{"event":{"_value":"login","id":"b-0"}}`},
		{"tags join user tags", func(d *Document) {
			d.SetRaw("tags", `["a","b"]`)
			d.AddTag("_parse_failure")
			d.AddTag("_timestamp_failure")
		}, `{"tags":["a","b","_parse_failure","_timestamp_failure"]}`},
		{"tags join a user string and skip empty arrays", func(d *Document) {
			d.SetString("tags", "a")
			d.SetRaw("tags", `[]`)
			d.AddTag("_parse_failure")
		}, `{"tags":["a","_parse_failure"]}`},
		{"a lone error is a string", func(d *Document) {
			d.AddError("no match")
		}, `{"error":{"message":"no match"}}`},
		{"errors join", func(d *Document) {
			d.SetString("error.message", "app failed")
			d.AddError("no match")
		}, `{"error":{"message":["app failed","no match"]}}`},
		{"empty object kept alone, dropped beside fields", func(d *Document) {
			d.add(field{path: "x", kind: kindEmptyObject})
			d.add(field{path: "y", kind: kindEmptyObject})
			d.SetInt("y.z", 1)
		}, `{"x":{},"y":{"z":1}}`},
		{"time in UTC with its fraction", func(d *Document) {
			d.SetTime("t", time.Date(2024, 2, 29, 23, 0, 0, 120000000, time.FixedZone("", -7*3600)))
		}, `{"t":"2024-03-01T06:00:00.12Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			tt.build(&d)
			got := d.AppendJSON(nil)
			require.Equal(t, tt.want, string(got))
			require.NoError(t, ecstest.Check(got))
			require.Equal(t, string(got), string(d.AppendJSON(nil)), "encoding twice")
		})
	}
}

func TestDocumentReuse(t *testing.T) {
	var d Document
	d.SetString("a", "one")
	d.AddTag("x")
	d.Reserve()
	d.SetString("b", "reserved")
	require.Equal(t, `{"a":"one","b":"reserved","tags":["x"]}`, string(d.AppendJSON(nil)))

	d.Reset()
	d.SetString("b", "user")
	d.SetString("b", "user2")
	require.Equal(t, `{"b":"user2"}`, string(d.AppendJSON(nil)))
}

func TestTake(t *testing.T) {
	tests := []struct {
		name     string
		build    func(d *Document)
		wantV    string
		wantStr  bool
		wantOK   bool
		wantRest string
	}{
		{"missing", func(d *Document) { d.SetInt("a", 1) }, "", false, false, `{"a":1}`},
		{"last string", func(d *Document) {
			d.SetString("m", "one")
			d.SetInt("a", 1)
			d.SetBytes("m", []byte("two"))
		}, "two", true, true, `{"a":1}`},
		{"number as JSON", func(d *Document) { d.SetInt("m", -5) }, "-5", false, true, `{}`},
		{"children stay", func(d *Document) {
			d.SetString("m", "v")
			d.SetString("m.x", "child")
		}, "v", true, true, `{"m":{"x":"child"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			tt.build(&d)
			v, isStr, ok := d.Take("m")
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.wantStr, isStr)
			require.Equal(t, tt.wantV, string(v))
			require.Equal(t, tt.wantRest, string(d.AppendJSON(nil)))
		})
	}
}

func TestRollback(t *testing.T) {
	var d Document
	d.SetString("keep", "k")
	d.SetMessage([]byte("line"))
	m := d.Mark()
	d.SetString("drop", "d")
	d.SetMessage([]byte("other"))
	d.SetTimestamp(42)
	d.Append(func(dst []byte) []byte { return append(dst, "scratch"...) })
	d.Rollback(m)

	require.Equal(t, `{"keep":"k"}`, string(d.AppendJSON(nil)))
	msg, ok := d.Message()
	require.True(t, ok)
	require.Equal(t, "line", string(msg))
	_, ok = d.Timestamp()
	require.False(t, ok)
}

func TestNormalizePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"host.name", "host.name"},
		{"", "_"},
		{".a", "_.a"},
		{"a.", "a._"},
		{"a..b", "a._.b"},
		{"é.\xff", "é.\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			require.Equal(t, tt.want, NormalizePath(tt.in))
		})
	}
}

func BenchmarkDocumentAccess(b *testing.B) {
	var d Document
	line := []byte(`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "-" "curl/8"`)
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		d.Reset()
		d.SetBytes("source.address", line[:9])
		d.SetBytes("source.ip", line[:9])
		d.SetBytes("http.request.method", line[46:49])
		d.SetBytes("url.original", line[50:56])
		d.SetBytes("http.version", line[62:65])
		d.SetInt("http.response.status_code", 200)
		d.SetInt("http.response.body.bytes", 2326)
		d.SetBytes("user_agent.original", line[len(line)-7:len(line)-1])
		d.SetString("event.kind", "event")
		d.SetRaw("event.category", `["web"]`)
		d.SetRaw("event.type", `["access"]`)
		d.SetString("event.outcome", "success")
		d.Reserve()
		d.SetTime("@timestamp", time.Unix(971211336, 0))
		d.SetBytes("message", line)
		d.SetString("event.id", "01J0000000000000000000000-17")
		d.SetTime("event.ingested", time.Unix(971211340, 0))
		d.SetString("event.dataset", "nginx_access")
		d.SetString("organization.id", "acme")
		d.SetString("data_stream.type", "logs")
		d.SetString("data_stream.dataset", "nginx_access")
		d.SetString("data_stream.namespace", "web")
		d.SetString("ecs.version", "8.17.0")
		out = d.AppendJSON(out[:0])
	}
	b.SetBytes(int64(len(out)))
}
