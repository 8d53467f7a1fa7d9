package hec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

var noLimits = Limits{}

func TestDecodeEvents(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		params Params
		data   []string
		json   []bool
		fields []map[string]string
		hints  []Hint
	}{
		{
			name: "string event with every member",
			body: `{"time": 1714557600.123, "host": "h", "source": "s", "sourcetype": "st", "index": "i", "event": "text", "fields": {"region": "eu"}}`,
			data: []string{"text"}, json: []bool{false},
			fields: []map[string]string{{"@timestamp": "2024-05-01T10:00:00.123Z", "host.name": "h", "event.provider": "s", "labels.region": "eu"}},
			hints:  []Hint{{Index: "i", Sourcetype: "st"}},
		},
		{
			name: "object event aliases the body",
			body: ` {"event": {"a": [1, {"b": null}], "message": "hi"}} `,
			data: []string{`{"a": [1, {"b": null}], "message": "hi"}`}, json: []bool{true},
			fields: []map[string]string{nil}, hints: []Hint{{}},
		},
		{
			name: "concatenated without separators",
			body: `{"event":"a"}{"event":"b"}` + "\r\n\t" + `{"event":"c"}`,
			data: []string{"a", "b", "c"}, json: []bool{false, false, false},
			fields: []map[string]string{nil, nil, nil}, hints: []Hint{{}, {}, {}},
		},
		{
			name: "escapes resolved",
			body: `{"event":"q\"b\\s\/ \u00e9 \ud83d\ude00 \ud800 x\ty\n"}`,
			data: []string{"q\"b\\s/ é 😀 \uFFFD x\ty\n"}, json: []bool{false},
			fields: []map[string]string{nil}, hints: []Hint{{}},
		},
		{
			name:   "params are defaults, events win",
			body:   `{"event":"a"}{"event":"b","host":"h2","source":"/var/log/b.log","index":"i2","sourcetype":""}`,
			params: Params{Host: "h1", Source: "app", Index: "i1", Sourcetype: "st1", Channel: "c"},
			data:   []string{"a", "b"}, json: []bool{false, false},
			fields: []map[string]string{
				{"host.name": "h1", "event.provider": "app"},
				{"host.name": "h2", "log.file.path": "/var/log/b.log"},
			},
			hints: []Hint{{Index: "i1", Sourcetype: "st1"}, {Index: "i2", Sourcetype: "st1"}},
		},
		{
			name: "time forms",
			body: `{"event":"s","time":"1714557600"}{"event":"ms","time":1714557600123}{"event":"us","time":1714557600123456}` +
				`{"event":"ns","time":1714557600123456789}{"event":"exp","time":1.7145576e9}{"event":"null","time":null}{"event":"f","time":"1714557600.5"}`,
			data: []string{"s", "ms", "us", "ns", "exp", "null", "f"}, json: make([]bool, 7),
			fields: []map[string]string{
				{"@timestamp": "2024-05-01T10:00:00Z"}, {"@timestamp": "2024-05-01T10:00:00.123Z"},
				{"@timestamp": "2024-05-01T10:00:00.123456Z"}, {"@timestamp": "2024-05-01T10:00:00.123456789Z"},
				{"@timestamp": "2024-05-01T10:00:00Z"}, {}, {"@timestamp": "2024-05-01T10:00:00.5Z"},
			},
			hints: make([]Hint, 7),
		},
		{
			name: "fields of every kind",
			body: `{"event":"x","fields":{"s":"v","n":-1.5,"b":true,"a":["x","y"],"z":null,"k8s.pod name":"p","e\u0301":"\"q\""}}`,
			data: []string{"x"}, json: []bool{false},
			fields: []map[string]string{{"labels.s": "v", "labels.n": "-1.5", "labels.b": "true", "labels.a": `["x","y"]`,
				"labels.k8s_pod_name": "p", "labels.e\u0301": `"q"`}},
			hints: []Hint{{}},
		},
		{
			name: "scalars and arrays are text, unknown members ignored",
			body: `{"event":42,"extra":{"x":[1]}}{"event":false}{"event":[1,"a"]}`,
			data: []string{"42", "false", `[1,"a"]`}, json: []bool{false, false, false},
			fields: []map[string]string{nil, nil, nil}, hints: []Hint{{}, {}, {}},
		},
		{
			name: "source paths",
			body: `{"event":"a","source":"C:\\logs\\app.log"}{"event":"b","source":"udp:514"}`,
			data: []string{"a", "b"}, json: []bool{false, false},
			fields: []map[string]string{{"log.file.path": `C:\logs\app.log`}, {"event.provider": "udp:514"}},
			hints:  []Hint{{}, {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := DecodeEvents([]byte(tt.body), tt.params, noLimits)
			require.NoError(t, err)
			require.Equal(t, tt.params.Channel, req.Channel)
			require.Len(t, req.Records, len(tt.data))
			require.Equal(t, tt.hints, req.Hints)
			for i, r := range req.Records {
				require.Equal(t, tt.data[i], string(r.Data), "record %d", i)
				require.Equal(t, tt.json[i], r.JSON, "record %d", i)
				if len(tt.fields[i]) == 0 {
					require.Empty(t, r.Fields, "record %d", i)
				} else {
					require.Equal(t, tt.fields[i], r.Fields, "record %d", i)
				}
			}
		})
	}
}

func TestDecodeEventsErrors(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		lim   Limits
		code  Code
		event int
		kind  ingest.Kind
		line  int
		kept  int
		msg   string
	}{
		{"empty", "", noLimits, NoData, -1, ingest.Invalid, 0, 0, "no data"},
		{"blank", " \r\n\t", noLimits, NoData, -1, ingest.Invalid, 0, 0, "no data"},
		{"no event", `{"event":"a"}` + "\n" + `{"host":"h"}`, noLimits, EventRequired, 1, ingest.Invalid, 2, 1, `no "event"`},
		{"empty object", `{}`, noLimits, EventRequired, 0, ingest.Invalid, 1, 0, `no "event"`},
		{"empty event", `{"event":""}`, noLimits, EventBlank, 0, ingest.Invalid, 1, 0, "blank"},
		{"white event", `{"event":" \t"}`, noLimits, EventBlank, 0, ingest.Invalid, 1, 0, "blank"},
		{"escaped white event", `{"event":"\n"}`, noLimits, EventBlank, 0, ingest.Invalid, 1, 0, "blank"},
		{"null event", `{"event":null}`, noLimits, EventBlank, 0, ingest.Invalid, 1, 0, "null"},
		{"empty object event", `{"event":{ }}`, noLimits, EventBlank, 0, ingest.Invalid, 1, 0, "empty object"},
		{"syntax", `{"event":"a"}` + "\n" + `{"event":"b",}`, noLimits, InvalidDataFormat, 1, ingest.Invalid, 2, 1, "byte 27"},
		{"unterminated", `{"event":"a`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "end of JSON in string"},
		{"bad escape", `{"event":"\x"}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "invalid escape"},
		{"control char", "{\"event\":\"a\x01\"}", noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "control character"},
		{"bad number", `{"event":01}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "expecting ','"},
		{"array body", `[{"event":"a"}]`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "must be a JSON object"},
		{"trailing garbage", `{"event":"a"} x`, noLimits, InvalidDataFormat, 1, ingest.Invalid, 1, 1, "must be a JSON object"},
		{"too deep", `{"event":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "nested too deeply"},
		{"time text", `{"event":"a","time":"noon"}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, `"time" "noon"`},
		{"time negative", `{"event":"a","time":-1}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "not a Unix time"},
		{"time bool", `{"event":"a","time":true}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "must be a number"},
		{"time past 2262", `{"event":"a","time":9999999999.5}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "not a Unix time"},
		{"time NaN", `{"event":"a","time":"NaN"}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, "not a Unix time"},
		{"host number", `{"event":"a","host":5}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, `"host" must be a string`},
		{"index object", `{"event":"a","index":{}}`, noLimits, InvalidDataFormat, 0, ingest.Invalid, 1, 0, `"index" must be a string`},
		{"fields nested", `{"event":"a","fields":{"o":{"x":1}}}`, noLimits, IndexedFieldsError, 0, ingest.Invalid, 1, 0, `"o" is an object`},
		{"fields nested array", `{"event":"a","fields":{"o":["x",["y"]]}}`, noLimits, IndexedFieldsError, 0, ingest.Invalid, 1, 0, "must be flat"},
		{"fields not object", `{"event":"a","fields":["x"]}`, noLimits, IndexedFieldsError, 0, ingest.Invalid, 1, 0, "must be an object"},
		{"field without name", `{"event":"a","fields":{"":"x"}}`, noLimits, IndexedFieldsError, 0, ingest.Invalid, 1, 0, "no name"},
		{"too many events", `{"event":"a"}{"event":"b"}{"event":"c"}`, Limits{MaxRecords: 2}, InvalidDataFormat, 2, ingest.TooLarge, 1, 2, "limit of 2 events"},
		{"event too long", `{"event":"12345"}{"event":"123456"}`, Limits{MaxLineBytes: 5}, InvalidDataFormat, 1, ingest.TooLarge, 1, 1, "6 bytes, over the limit of 5"},
		{"object too long", `{"event":{"a":1}}`, Limits{MaxLineBytes: 6}, InvalidDataFormat, 0, ingest.TooLarge, 1, 0, "7 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := DecodeEvents([]byte(tt.body), Params{}, tt.lim)
			var he *Error
			require.True(t, errors.As(err, &he), "got %v", err)
			require.Equal(t, tt.code, he.Code)
			require.Equal(t, tt.event, he.Event)
			var ie *ingest.Error
			require.True(t, errors.As(err, &ie))
			require.Equal(t, tt.kind, ie.Kind)
			require.Equal(t, tt.line, ie.Line)
			require.Contains(t, err.Error(), tt.msg)
			require.Len(t, req.Records, tt.kept)
			require.Len(t, req.Hints, tt.kept)
		})
	}
}

// TestShippers decodes bodies shaped as each shipper sends them.
func TestShippers(t *testing.T) {
	tests := []struct {
		file   string
		n      int
		first  string
		json   bool
		fields map[string]string
		hint   Hint
	}{
		{"otel.json", 2, `10.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 512`, false,
			map[string]string{"@timestamp": "2024-05-01T10:00:00.123Z", "host.name": "web-1", "log.file.path": "/var/log/nginx/access.log",
				"labels.k8s_pod_name": "web-7d9f", "labels.service_name": "shop", "labels.otel_log_severity_number": "9"},
			Hint{Index: "web", Sourcetype: "nginx:access"}},
		{"fluentbit.json", 2, `{"log":"order 7 shipped","level":"info","kubernetes":{"pod_name":"api-0"}}`, true,
			map[string]string{"@timestamp": "2024-05-01T10:00:01.5Z"}, Hint{}},
		{"vector.json", 2, "user alice signed in", false,
			map[string]string{"@timestamp": "2024-05-01T10:00:03.001Z", "host.name": "vector-agent", "event.provider": "journald"},
			Hint{Index: "auth", Sourcetype: "linux:auth"}},
		{"docker.json", 1, `{"line":"listening on :8080","source":"stdout","tag":"c0ffee"}`, true,
			map[string]string{"@timestamp": "2024-05-01T10:00:04Z", "host.name": "docker-host", "event.provider": "docker"},
			Hint{Sourcetype: "httpevent"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			req, err := DecodeEvents(body, Params{}, Limits{MaxLineBytes: 1024, MaxRecords: 10})
			require.NoError(t, err)
			require.Len(t, req.Records, tt.n)
			require.Equal(t, tt.first, string(req.Records[0].Data))
			require.Equal(t, tt.json, req.Records[0].JSON)
			require.Equal(t, tt.fields, req.Records[0].Fields)
			require.Equal(t, tt.hint, req.Hints[0])
		})
	}
}

// TestDecodeEventsNUL refuses a NUL byte between events rather than taking it for the end
// of the body, which lost the events after it.
func TestDecodeEventsNUL(t *testing.T) {
	req, err := DecodeEvents([]byte("{\"event\":\"a\"}\x00{\"event\":\"b\"}"), Params{}, Limits{})
	require.Error(t, err)
	var he *Error
	require.ErrorAs(t, err, &he)
	require.Equal(t, InvalidDataFormat, he.Code)
	require.Len(t, req.Records, 1, "the event before is kept")
}
