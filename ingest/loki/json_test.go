package loki

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

func TestDecodeJSONFixture(t *testing.T) {
	body, err := os.ReadFile("testdata/push.json")
	require.NoError(t, err)
	req, err := Decode("application/json; charset=utf-8", body, Limits{MaxLineBytes: 100, MaxRecords: 10})
	require.NoError(t, err)
	require.Equal(t, []got{
		{"order 1 shipped", map[string]string{"labels.env": "prod", "labels.service_name": "checkout", "@timestamp": "2024-05-01T10:00:00Z"}},
		{`{"level":"warn","msg":"slow \u00e9"}`, map[string]string{
			"labels.env": "prod", "labels.service_name": "checkout", "@timestamp": "2024-05-01T10:00:00.123456789Z",
			"labels.trace_id": "0242ac120002", "labels.k8s_pod": "web-1",
		}},
		{"second stream", map[string]string{"labels.job": "varlogs", "@timestamp": "2024-05-01T10:00:01Z"}},
	}, gotRecords(t, req))
	require.Len(t, req.Streams, 2)
	require.Equal(t, []Label{{"env", "prod"}, {"service_name", "checkout"}}, req.Streams[0].Labels)
	require.Len(t, req.Streams[0].Records, 2)
	require.Len(t, req.Streams[1].Records, 1)
	v, ok := req.Streams[0].Label("service_name")
	require.True(t, ok)
	require.Equal(t, "checkout", v)
	_, ok = req.Streams[1].Label("service_name")
	require.False(t, ok)
	require.Zero(t, req.Discarded)
	// A line without escapes is a slice of the body, not a copy.
	require.Same(t, &body[strings.Index(string(body), "order 1")], &req.Records[0].Data[0])
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []got
	}{
		{"empty streams", `{"streams":[]}`, []got{}},
		{"null streams", `{"streams":null}`, []got{}},
		{"no streams key", `{}`, []got{}},
		{"null values", `{"streams":[{"stream":{"a":"b"},"values":null}]}`, []got{}},
		{"negative and zero time", `{"streams":[{"stream":{"a":"b"},"values":[["0","x"],["-1","y"]]}]}`, []got{
			{"x", map[string]string{"labels.a": "b", "@timestamp": "1970-01-01T00:00:00Z"}},
			{"y", map[string]string{"labels.a": "b", "@timestamp": "1969-12-31T23:59:59.999999999Z"}},
		}},
		{"escapes and surrogates", `{"streams":[{"stream":{"a":"q\"\\\/"},"values":[["1","\ud83d\ude00 \ud800 \u0041\t\b\f\r\n"]]}]}`, []got{
			{"😀 \uFFFD A\t\b\f\r\n", map[string]string{"labels.a": `q"\/`, "@timestamp": "1970-01-01T00:00:00.000000001Z"}},
		}},
		{"empty line kept", `{"streams":[{"stream":{"a":"b"},"values":[["1",""]]}]}`, []got{
			{"", map[string]string{"labels.a": "b", "@timestamp": "1970-01-01T00:00:00.000000001Z"}},
		}},
		{"empty label value dropped", `{"streams":[{"stream":{"a":"b","c":""},"values":[["1","x"]]}]}`, []got{
			{"x", map[string]string{"labels.a": "b", "@timestamp": "1970-01-01T00:00:00.000000001Z"}},
		}},
		{"metadata does not override a label", `{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"a":"md","b.c":"d"}]]}]}`, []got{
			{"x", map[string]string{"labels.a": "b", "labels.b_c": "d", "@timestamp": "1970-01-01T00:00:00.000000001Z"}},
		}},
		{"null metadata", `{"streams":[{"stream":{"a":"b"},"values":[["1","x",null]]}]}`, []got{
			{"x", map[string]string{"labels.a": "b", "@timestamp": "1970-01-01T00:00:00.000000001Z"}},
		}},
		{"whitespace everywhere", " {\n\"streams\" : [ { \"stream\" : { \"a\" : \"b\" } , \"values\" : [ [ \"5\" , \"x\" ] ] } ] }\r\n", []got{
			{"x", map[string]string{"labels.a": "b", "@timestamp": "1970-01-01T00:00:00.000000005Z"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := DecodeJSON([]byte(tt.body), noLimits)
			require.NoError(t, err)
			require.Equal(t, tt.want, gotRecords(t, req))
		})
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		lim  Limits
		kind ingest.Kind
		msg  string
	}{
		{"not json", `{"streams":[`, noLimits, ingest.Invalid, "not valid JSON"},
		{"empty body", ``, noLimits, ingest.Invalid, "not valid JSON"},
		{"array body", `[]`, noLimits, ingest.Invalid, "not a JSON object"},
		{"streams not array", `{"streams":{}}`, noLimits, ingest.Invalid, `"streams" is not an array`},
		{"stream not object", `{"streams":[1]}`, noLimits, ingest.Invalid, "stream 1: the stream is not a JSON object"},
		{"no labels", `{"streams":[{"values":[["1","x"]]}]}`, noLimits, ingest.Invalid, "stream 1: error at least one label pair is required per stream"},
		{"bad label name", `{"streams":[{"stream":{"a-b":"c"},"values":[]}]}`, noLimits, ingest.Invalid, `invalid label name "a-b"`},
		{"label name with digit first", `{"streams":[{"stream":{"1a":"c"}}]}`, noLimits, ingest.Invalid, `invalid label name "1a"`},
		{"label value not string", `{"streams":[{"stream":{"a":1}}]}`, noLimits, ingest.Invalid, `the value of "a" is not a string`},
		{"values not array", `{"streams":[{"stream":{"a":"b"},"values":{}}]}`, noLimits, ingest.Invalid, `"values" is not an array`},
		{"entry not array", `{"streams":[{"stream":{"a":"b"},"values":["x"]}]}`, noLimits, ingest.Invalid, "stream 1 entry 1: the entry is not an array"},
		{"numeric timestamp", `{"streams":[{"stream":{"a":"b"},"values":[[1,"x"]]}]}`, noLimits, ingest.Invalid, "the timestamp is not a string"},
		{"bad timestamp", `{"streams":[{"stream":{"a":"b"},"values":[["1.5","x"]]}]}`, noLimits, ingest.Invalid, `timestamp "1.5" is not an integer`},
		{"timestamp overflow", `{"streams":[{"stream":{"a":"b"},"values":[["9223372036854775808","x"]]}]}`, noLimits, ingest.Invalid, "not an integer"},
		{"empty timestamp", `{"streams":[{"stream":{"a":"b"},"values":[["","x"]]}]}`, noLimits, ingest.Invalid, "not an integer"},
		{"line not string", `{"streams":[{"stream":{"a":"b"},"values":[["1",{}]]}]}`, noLimits, ingest.Invalid, "the line is not a string"},
		{"missing line", `{"streams":[{"stream":{"a":"b"},"values":[["1"]]}]}`, noLimits, ingest.Invalid, "needs a timestamp and a line"},
		{"four elements", `{"streams":[{"stream":{"a":"b"},"values":[["1","x",{},1]]}]}`, noLimits, ingest.Invalid, "more than 3 elements"},
		{"metadata not object", `{"streams":[{"stream":{"a":"b"},"values":[["1","x",[]]]}]}`, noLimits, ingest.Invalid, "structured metadata: not a JSON object"},
		{"metadata empty name", `{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"":"v"}]]}]}`, noLimits, ingest.Invalid, "structured metadata with an empty name"},
		{"second stream entry", `{"streams":[{"stream":{"a":"b"}},{"stream":{"a":"b"},"values":[["1","x"],["2",3]]}]}`, noLimits, ingest.Invalid, "stream 2 entry 2:"},
		{"too many records", `{"streams":[{"stream":{"a":"b"},"values":[["1","x"],["2","y"],["3","z"]]}]}`, Limits{MaxRecords: 2}, ingest.TooLarge, "more than 2 entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := DecodeJSON([]byte(tt.body), tt.lim)
			require.Nil(t, req)
			requireIngestError(t, err, tt.kind, tt.msg)
		})
	}
}

func TestDecodeJSONDiscardsLongLines(t *testing.T) {
	body := `{"streams":[{"stream":{"app":"a"},"values":[["1","short"],["2","` + strings.Repeat("x", 11) + `"],["3","ok"],["4","` + strings.Repeat("y", 20) + `"]]}]}`
	req, err := DecodeJSON([]byte(body), Limits{MaxLineBytes: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"short", "ok"}, []string{string(req.Records[0].Data), string(req.Records[1].Data)})
	require.Len(t, req.Records, 2)
	require.Equal(t, 2, req.Discarded)
	require.Equal(t, `stream 1 entry 2: max entry size 10 bytes exceeded for stream {app="a"} while adding an entry with length 11 bytes`, req.DiscardErr.Error())
}
