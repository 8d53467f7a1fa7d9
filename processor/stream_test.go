package processor

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// processWith runs lines through a stream of sourceType with the given settings.
func processWith(t *testing.T, sourceType, settings string, format trollyv1.RecordFormat, lines ...string) (*trollyv1.EventBatch, Stats) {
	t.Helper()
	st, err := CompileStream(nil, sourceType, json.RawMessage(settings))
	require.NoError(t, err)
	raw := make([][]byte, len(lines))
	for i, l := range lines {
		raw[i] = []byte(l)
	}
	out, stats, err := NewTransformer(nil).ProcessStream(newBatch(sourceType, format, raw...), st)
	require.NoError(t, err)
	return out, stats
}

func TestValidateStream(t *testing.T) {
	tests := []struct {
		name, sourceType, parser string
		field, msg               string
	}{
		{"unknown source type", "windows_evtx", ``, "source_type", `unknown source type "windows_evtx"`},
		{"not an object", "text", `[1]`, "parser", "must be an object"},
		{"unknown key", "text", `{"pattern":"x"}`, "parser.pattern", "unknown setting"},
		{"wrong type", "text", `{"patterns":"%{IP:source.ip}"}`, "parser.patterns", "must be a list"},
		{"bad zone", "syslog", `{"timezone":"Mars/Olympus"}`, "parser.timezone", "Mars/Olympus"},
		{"local zone", "syslog", `{"timezone":"Local"}`, "parser.timezone", "name the zone"},
		{"bad duration", "text", `{"timestamp":{"max_future":"soon"}}`, "parser", `duration "soon"`},
		{"unknown pattern", "text", `{"patterns":["%{IP:source.ip}", "x %{NOPE:a}"]}`, "parser.patterns[1]", "at offset 4: unknown pattern NOPE"},
		{"bad regexp", "text", `{"patterns":["(?<user.name>[a-z+)"]}`, "parser.patterns[0]", "at offset"},
		{"bad definition", "text", `{"patterns":["%{MINE:a}"],"definitions":{"MINE":"%{MINE}"}}`, "parser.definitions.MINE", "at offset"},
		{"two objects", "text", `{} {}`, "parser", "one JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateStream(tt.sourceType, json.RawMessage(tt.parser))
			require.ErrorIs(t, err, ErrInvalidSettings)
			var se *SettingsError
			require.True(t, errors.As(err, &se))
			require.Equal(t, tt.field, se.Field, "%v", err)
			require.Contains(t, se.Msg, tt.msg)
		})
	}
	for _, ok := range []string{``, `null`, `{}`, `{"timezone":"Europe/Paris","timestamp":{"max_past":"30d","max_future":"0"}}`,
		`{"patterns":["^%{IPORHOST:source.address} %{WORD:http.request.method} %{NUMBER:http.response.status_code:int}$"]}`} {
		require.NoError(t, ValidateStream("text", json.RawMessage(ok)), ok)
	}
}

func TestStreamPatterns(t *testing.T) {
	settings := `{"patterns":[
		"^%{IPORHOST:source.address} %{WORD:http.request.method} %{NUMBER:http.response.status_code:int} %{GREEDYDATA:message}$",
		"^(?<user.name>[a-z]+) logged in$"]}`
	out, stats := processWith(t, "text", settings, text,
		"10.0.0.1 GET 503 upstream timed out",
		"alice logged in",
		"something else entirely",
		"10.0.0.1 GET 99999999999999999999 too big")
	require.Equal(t, Stats{Events: 4, ParseFailures: 2}, stats)
	evs := out.GetEvents()

	m := requireAlwaysPresent(t, evs[0], "text", 0)
	require.Equal(t, "upstream timed out", m["message"], "a message capture replaces the message")
	require.Equal(t, "10.0.0.1", m["source"].(map[string]any)["address"])
	require.Equal(t, json.Number("503"), m["http"].(map[string]any)["response"].(map[string]any)["status_code"])

	m = requireAlwaysPresent(t, evs[1], "text", 1)
	require.Equal(t, "alice", m["user"].(map[string]any)["name"])
	require.NotContains(t, m, "tags")

	m = requireAlwaysPresent(t, evs[2], "text", 2)
	require.Equal(t, []any{TagParseFailure}, m["tags"])
	require.Equal(t, "something else entirely", m["message"], "the line is kept")
	require.Contains(t, m["error"].(map[string]any)["message"], "no pattern matches")

	m = requireAlwaysPresent(t, evs[3], "text", 3)
	require.Equal(t, []any{TagParseFailure}, m["tags"], "a capture that does not convert is a failure")
	require.Equal(t, "too big", m["message"], "the other captures are kept")
}

// TestStreamPatternsAfterSourceType parses the message a source type leaves: an
// application's lines inside syslog.
func TestStreamPatternsAfterSourceType(t *testing.T) {
	out, stats := processWith(t, "syslog", `{"patterns":["order %{INT:order.id:int} paid by %{EMAILADDRESS:user.email}"]}`, text,
		"<134>1 2024-05-01T11:00:00Z shop checkout 42 - - order 991 paid by bob@example.com")
	require.Equal(t, Stats{Events: 1}, stats)
	m := requireAlwaysPresent(t, out.GetEvents()[0], "syslog", 0)
	require.Equal(t, json.Number("991"), m["order"].(map[string]any)["id"])
	require.Equal(t, "bob@example.com", m["user"].(map[string]any)["email"])
	require.Equal(t, "checkout", m["process"].(map[string]any)["name"], "the source type's fields stay")
}

func TestStreamTimezone(t *testing.T) {
	line := "May  1 11:30:00 web1 cron[7]: run" // received 2024-05-01T12:00:00Z, written in Paris (UTC+2)
	out, _ := processWith(t, "syslog", `{"timezone":"Europe/Paris"}`, text, line)
	m := requireAlwaysPresent(t, out.GetEvents()[0], "syslog", 0)
	require.Equal(t, "2024-05-01T09:30:00Z", m["@timestamp"])

	out, _ = processWith(t, "syslog", ``, text, line)
	require.Equal(t, "2024-05-01T11:30:00Z", requireAlwaysPresent(t, out.GetEvents()[0], "syslog", 0)["@timestamp"], "UTC by default")
}

func TestStreamClamp(t *testing.T) {
	lines := []string{
		`{"@timestamp":"2024-05-01T11:00:00Z","message":"an hour ago"}`,
		`{"@timestamp":"1970-01-01T00:00:00Z","message":"a clock without a battery"}`,
		`{"@timestamp":"2031-05-01T00:00:00Z","message":"a clock years ahead"}`,
	}
	out, stats := processWith(t, "json", ``, text, lines...)
	require.Equal(t, 2, stats.Clamped)
	evs := out.GetEvents()
	require.Equal(t, "2024-05-01T11:00:00Z", requireAlwaysPresent(t, evs[0], "json", 0)["@timestamp"])
	for i := 1; i < 3; i++ {
		m := requireAlwaysPresent(t, evs[i], "json", i)
		require.Equal(t, "2024-05-01T12:00:00Z", m["@timestamp"], "the receipt time replaces it")
		require.Equal(t, []any{TagTimestampClamped}, m["tags"])
		require.Contains(t, m["error"].(map[string]any)["message"], "too far from its receipt")
	}

	out, stats = processWith(t, "json", `{"timestamp":{"max_past":"0","max_future":"0"}}`, text, lines...)
	require.Zero(t, stats.Clamped, "no bounds")
	require.Equal(t, "1970-01-01T00:00:00Z", requireAlwaysPresent(t, out.GetEvents()[1], "json", 1)["@timestamp"])
}

// TestStreamPartialLines joins the pieces of a line the container runtime split, from text
// and from JSON records alike.
func TestStreamPartialLines(t *testing.T) {
	for _, format := range []trollyv1.RecordFormat{text, js} {
		out, stats := processWith(t, "docker", ``, format,
			`{"log":"first half, ","stream":"stdout","time":"2024-05-01T11:59:59Z"}`,
			`{"log":"second half\n","stream":"stdout","time":"2024-05-01T11:59:59Z"}`,
			`{"log":"alone\n","stream":"stderr","time":"2024-05-01T11:59:59Z"}`)
		require.Equal(t, Stats{Events: 2, Joined: 1}, stats)
		require.Equal(t, "first half, second half", requireAlwaysPresent(t, out.GetEvents()[0], "docker", 0)["message"])
		require.Equal(t, "alone", requireAlwaysPresent(t, out.GetEvents()[1], "docker", 2)["message"])
	}
}

func TestStreamMultiline(t *testing.T) {
	lines := []string{
		"2024-05-01 11:59:58,120 INFO started\n",
		"2024-05-01 11:59:59,001 ERROR request failed\r\n",
		"java.lang.IllegalStateException: no session\n",
		"\tat com.example.Shop.pay(Shop.java:42)\n",
		"\tat com.example.Shop.main(Shop.java:7)\n",
		"Caused by: java.io.IOException: disk full\n",
		"\t... 2 more\n",
		"2024-05-01 12:00:00,000 INFO next\n",
	}
	out, stats := processWith(t, "text", `{"multiline":{"preset":"stack_traces"}}`, text, lines...)
	require.Equal(t, Stats{Events: 3, Joined: 5}, stats)
	evs := out.GetEvents()
	require.Equal(t, "2024-05-01 11:59:58,120 INFO started", requireAlwaysPresent(t, evs[0], "text", 0)["message"])
	m := requireAlwaysPresent(t, evs[1], "text", 1)
	require.Equal(t, "2024-05-01 11:59:59,001 ERROR request failed\njava.lang.IllegalStateException: no session\n"+
		"\tat com.example.Shop.pay(Shop.java:42)\n\tat com.example.Shop.main(Shop.java:7)\n"+
		"Caused by: java.io.IOException: disk full\n\t... 2 more", m["message"])
	require.Equal(t, []any{TagMultiline}, m["log"].(map[string]any)["flags"])
	m = requireAlwaysPresent(t, evs[2], "text", 7)
	require.NotContains(t, m, "log", "a line alone has no flag")

	// A start pattern, a bound, and a JSON record between lines, which never joins.
	out, stats = processWith(t, "text", `{"multiline":{"start":"^\\d{4}-","max_lines":2}}`, text,
		"2024-05-01 a", " b", " c", "2024-05-01 d")
	require.Equal(t, Stats{Events: 3, Joined: 1}, stats)
	require.Equal(t, "2024-05-01 a\n b", requireAlwaysPresent(t, out.GetEvents()[0], "text", 0)["message"])
	require.Equal(t, " c", requireAlwaysPresent(t, out.GetEvents()[1], "text", 2)["message"], "max_lines ends the event")

	b := newBatch("text", text, []byte("2024-05-01 a"), []byte(`{"message":"json"}`), []byte(" b"))
	b.Records[1].Format = js
	st, err := CompileStream(nil, "text", json.RawMessage(`{"multiline":{"preset":"stack_traces"}}`))
	require.NoError(t, err)
	out, stats, err = NewTransformer(nil).ProcessStream(b, st)
	require.NoError(t, err)
	require.Equal(t, Stats{Events: 3}, stats, "the JSON record splits the run of lines")
	require.Equal(t, "json", requireAlwaysPresent(t, out.GetEvents()[1], "text", 1)["message"])
}

func TestValidateStreamMultiline(t *testing.T) {
	for _, tt := range []struct{ sourceType, parser, field, msg string }{
		{"text", `{"multiline":{"start":"(unclosed"}}`, "parser.multiline.start", "error parsing regexp"},
		{"text", `{"multiline":{"preset":"stack_traces","start":"^x"}}`, "parser.multiline", ""},
		{"text", `{"multiline":{"max_wait":"forever"}}`, "parser.multiline", ""},
		{"text", `{"multiline":{"preset":"stack_traces","max_wait":"5s"}}`, "parser.multiline.max_wait", "not a stream setting"},
		{"docker", `{"multiline":{"preset":"stack_traces"}}`, "parser.multiline", "not available for docker"},
	} {
		err := ValidateStream(tt.sourceType, json.RawMessage(tt.parser))
		var se *SettingsError
		require.True(t, errors.As(err, &se), "%s: %v", tt.parser, err)
		require.True(t, strings.HasPrefix(se.Field, tt.field), "%s: field %s", tt.parser, se.Field)
		require.Contains(t, se.Msg, tt.msg)
	}
}

func TestStreamPipeline(t *testing.T) {
	settings := `{"pipeline":[
		{"drop":{"if":"http.response.status_code:200 AND url.original:\"/healthz\""}},
		{"set":{"field":"service.name","value":"shop"}},
		{"duplicate":{"if":"http.response.status_code:500","stream":"alerts"}},
		{"route":{"if":"user.name:admin","stream":"audit","dataset":"admin_access"}},
		{"redact":{"fields":["url.original","message"],"builtins":["url_password"]}}]}`
	out, stats := processWith(t, "nginx_access", settings, text,
		`10.0.0.1 - - [01/May/2024:11:00:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe"`,
		`10.0.0.2 - admin [01/May/2024:11:00:01 +0000] "GET /admin HTTP/1.1" 200 10 "-" "curl"`,
		`10.0.0.3 - - [01/May/2024:11:00:02 +0000] "GET /fetch?u=https://bob:hunter2@example.com/ HTTP/1.1" 500 0 "-" "curl"`)
	require.Equal(t, Stats{Events: 3, Dropped: 1}, stats)
	byID := map[string]*trollyv1.Event{}
	for _, ev := range out.GetEvents() {
		byID[ev.GetId()] = ev
	}
	require.NotContains(t, byID, testBatchID+"-0", "the probe is dropped")

	routed := byID[testBatchID+"-1"]
	require.Equal(t, "audit", routed.GetStream(), "the event goes to the stream it was routed to")
	m := decode(t, routed.GetSource())
	require.Equal(t, "audit", m["data_stream"].(map[string]any)["namespace"])
	require.Equal(t, "admin_access", m["event"].(map[string]any)["dataset"])
	require.Equal(t, "shop", m["service"].(map[string]any)["name"])

	original := byID[testBatchID+"-2"]
	require.Empty(t, original.GetStream(), "the original stays in the batch's stream")
	m = requireAlwaysPresent(t, original, "nginx_access", 2)
	require.NotContains(t, string(original.GetSource()), "hunter2", "redacted")
	require.Contains(t, m["url"].(map[string]any)["original"], "bob:")

	var dup *trollyv1.Event
	for id, ev := range byID {
		if strings.HasPrefix(id, testBatchID+"-2-dup") {
			dup = ev
		}
	}
	require.NotNil(t, dup, "the 500 is duplicated: %v", byID)
	require.Equal(t, "alerts", dup.GetStream())
	dm := decode(t, dup.GetSource())
	require.Equal(t, dup.GetId(), dm["event"].(map[string]any)["id"], "the copy's id is its own")
	require.Equal(t, "alerts", dm["data_stream"].(map[string]any)["namespace"])
	require.Contains(t, string(dup.GetSource()), "hunter2", "the copy is the event as it was at its step, before redaction")
}

func TestValidateStreamPipeline(t *testing.T) {
	err := ValidateStream("text", json.RawMessage(`{"pipeline":[{"set":{"field":"a","value":1}},{"redact":{"patterns":["(x"]}}]}`))
	var se *SettingsError
	require.True(t, errors.As(err, &se), "%v", err)
	require.Equal(t, "parser.pipeline[1].redact.patterns[0]", se.Field)
	require.Contains(t, se.Msg, "error parsing regexp")

	err = ValidateStream("text", json.RawMessage(`{"pipeline":[{"set":{"field":"organization.id","value":"other"}}]}`))
	require.True(t, errors.As(err, &se), "%v", err)
	require.Equal(t, "parser.pipeline[0].set.field", se.Field)

	st, err := CompileStream(nil, "text", json.RawMessage(`{"pipeline":[{"route":{"stream":"audit"}}]}`))
	require.NoError(t, err)
	require.Equal(t, []string{"audit"}, st.RouteStreams())
}

// TestWireTimeAndTags takes the time a protocol carried (Loki, OTLP, HEC) unless the line
// has its own, and a transport's tag as a tag.
func TestWireTimeAndTags(t *testing.T) {
	b := newBatch("syslog", text,
		[]byte("message without a header"),
		[]byte("<13>1 2024-05-01T11:30:00Z host app - - - with its own time"),
		[]byte("bad wire time"))
	b.Records[0].Fields = map[string]string{"@timestamp": "2024-05-01T11:00:00.123456789Z", "tags": "_truncated"}
	b.Records[1].Fields = map[string]string{"@timestamp": "2024-05-01T11:00:00Z"}
	b.Records[2].Fields = map[string]string{"@timestamp": "yesterday"}
	out, stats, err := NewTransformer(nil).Process(b)
	require.NoError(t, err)
	require.Equal(t, 1, stats.TimestampFailures)
	m := requireAlwaysPresent(t, out.GetEvents()[0], "syslog", 0)
	require.Equal(t, "2024-05-01T11:00:00.123456789Z", m["@timestamp"])
	require.Contains(t, m["tags"], "_truncated")
	m = requireAlwaysPresent(t, out.GetEvents()[1], "syslog", 1)
	require.Equal(t, "2024-05-01T11:30:00Z", m["@timestamp"], "the line's own time wins")
	m = requireAlwaysPresent(t, out.GetEvents()[2], "syslog", 2)
	require.Equal(t, "2024-05-01T12:00:00Z", m["@timestamp"], "the receipt time")
	require.Contains(t, m["tags"], TagTimestampFailure)
}

// TestBadWireTimeWithLineTime keeps no failure for a transport's unreadable time when the
// line has its own.
func TestBadWireTimeWithLineTime(t *testing.T) {
	b := newBatch("syslog", text, []byte("<13>1 2024-05-01T11:30:00Z host app - - - own time"))
	b.Records[0].Fields = map[string]string{"@timestamp": "yesterday"}
	out, stats, err := NewTransformer(nil).Process(b)
	require.NoError(t, err)
	require.Zero(t, stats.TimestampFailures)
	m := requireAlwaysPresent(t, out.GetEvents()[0], "syslog", 0)
	require.Equal(t, "2024-05-01T11:30:00Z", m["@timestamp"])
	require.NotContains(t, m, "tags")
}

func TestRoutedBy(t *testing.T) {
	stream := func(name, pipeline string) tenant.Stream {
		return tenant.Stream{TenantID: testTenant, Name: name, SourceType: "text",
			Parser: json.RawMessage(`{"pipeline":` + pipeline + `}`)}
	}
	streams := []tenant.Stream{
		{TenantID: testTenant, Name: "plain", SourceType: "json"},
		stream("self", `[{"route":{"if":"a:1","stream":"self"}}]`),
		stream("broken", `[{"route":{"stream":"errors"}},{"nope":{}}]`),
		stream("app", `[{"route":{"if":"log.level:ERROR","stream":"errors"}}]`),
		stream("audit", `[{"duplicate":{"stream":"archive"}}]`),
	}
	tests := []struct {
		name, want string
	}{
		{"errors", "app"},
		{"archive", "audit"},
		{"self", ""},  // a stream routing to itself goes with it
		{"plain", ""}, // nothing routes there
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := RoutedBy(streams, tt.name)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.want != "", ok)
		})
	}
}
