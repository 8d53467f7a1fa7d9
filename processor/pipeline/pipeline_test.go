package pipeline

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// event builds a document as the processor does: the parsed fields, then the reserved
// ones.
func event(t testing.TB, message, fields string) *ecs.Document {
	t.Helper()
	d := &ecs.Document{}
	if fields != "" {
		require.NoError(t, d.MergeJSON([]byte(fields)))
	}
	d.Reserve()
	d.SetRaw("@timestamp", `"2024-01-31T08:15:02.25Z"`)
	d.SetString("message", message)
	d.SetString("event.id", "01HNB-7")
	d.SetRaw("event.ingested", `"2024-01-31T08:15:03Z"`)
	d.SetString("event.dataset", "app")
	d.SetString("organization.id", "acme")
	d.SetString("data_stream.type", "logs")
	d.SetString("data_stream.dataset", "app")
	d.SetString("data_stream.namespace", "web")
	d.SetString("ecs.version", "8.17.0")
	return d
}

// Pieces of the encoded reserved fields of event.
const (
	ts   = `{"@timestamp":"2024-01-31T08:15:02.25Z",`
	ds   = `"data_stream":{"dataset":"app","namespace":"web","type":"logs"},"ecs":{"version":"8.17.0"},`
	head = ts + ds
	evt  = `"event":{"dataset":"app","id":"01HNB-7","ingested":"2024-01-31T08:15:03Z"}`
	org  = `"organization":{"id":"acme"}`
)

func mustCompile(t testing.TB, steps string) *Pipeline {
	t.Helper()
	p, err := Compile(json.RawMessage(steps))
	require.NoError(t, err)
	return p
}

func TestSteps(t *testing.T) {
	tests := []struct {
		name    string
		steps   string
		message string
		fields  string
		want    string
		result  Result
	}{
		{"empty pipeline", `[]`, "m", `{"a":1}`,
			ts + `"a":1,` + ds + evt + `,"message":"m",` + org + `}`, Result{}},
		{"set a string", `[{"set":{"field":"service.name","value":"checkout"}}]`, "m", ``,
			head + evt + `,"message":"m",` + org + `,"service":{"name":"checkout"}}`, Result{}},
		{"set replaces a value and its object", `[{"set":{"field":"a","value":2.50}}]`, "m", `{"a":{"b":1},"a.c":"x"}`,
			ts + `"a":2.50,` + ds + evt + `,"message":"m",` + org + `}`, Result{}},
		{"set a boolean", `[{"set":{"field":"labels.ok","value":true}}]`, "m", ``,
			head + evt + `,"labels":{"ok":true},"message":"m",` + org + `}`, Result{}},
		{"set the message", `[{"set":{"field":"message","value":"new"}}]`, "old", ``,
			head + evt + `,"message":"new",` + org + `}`, Result{}},
		{"copy a field", `[{"set":{"field":"labels.host","copy_from":"host.name"}}]`, "m", `{"host":{"name":"web-1"}}`,
			head + evt + `,"host":{"name":"web-1"},"labels":{"host":"web-1"},"message":"m",` + org + `}`, Result{}},
		{"copy a reserved field", `[{"set":{"field":"labels.ds","copy_from":"event.dataset"}}]`, "m", ``,
			head + evt + `,"labels":{"ds":"app"},"message":"m",` + org + `}`, Result{}},
		{"copy from a missing field", `[{"set":{"field":"a","copy_from":"b"}}]`, "m", `{"a":1}`,
			ts + `"a":1,` + ds + evt + `,"message":"m",` + org + `}`, Result{}},
		{"rename", `[{"rename":{"field":"msg_id","to":"labels.msg_id"}}]`, "m", `{"msg_id":"x1","labels":{"a":"b"}}`,
			head + evt + `,"labels":{"a":"b","msg_id":"x1"},"message":"m",` + org + `}`, Result{}},
		{"rename onto the message", `[{"rename":{"field":"log","to":"message"}}]`, "m", `{"log":"the line"}`,
			head + evt + `,"message":"the line",` + org + `}`, Result{}},
		{"remove", `[{"remove":{"fields":["agent","x.y"]}}]`, "m", `{"agent":{"id":1,"name":"fb"},"x":{"y":1,"z":2}}`,
			head + evt + `,"message":"m",` + org + `,"x":{"z":2}}`, Result{}},
		{"drop", `[{"drop":{"if":"log.level:debug"}},{"set":{"field":"a","value":1}}]`, "m", `{"log.level":"debug"}`,
			head + evt + `,"log":{"level":"debug"},"message":"m",` + org + `}`, Result{Drop: true}},
		{"no drop", `[{"drop":{"if":"log.level:debug"}}]`, "m", `{"log.level":"info"}`,
			head + evt + `,"log":{"level":"info"},"message":"m",` + org + `}`, Result{}},
		{"route", `[{"route":{"if":"audit","stream":"audit","dataset":"app.audit"}}]`, "audit: login", ``,
			`{"@timestamp":"2024-01-31T08:15:02.25Z","data_stream":{"dataset":"app.audit","namespace":"audit","type":"logs"},"ecs":{"version":"8.17.0"},` +
				`"event":{"dataset":"app.audit","id":"01HNB-7","ingested":"2024-01-31T08:15:03Z"},"message":"audit: login",` + org + `}`,
			Result{Stream: "audit", Dataset: "app.audit"}},
		{"later route wins, steps go on", `[{"route":{"stream":"a"}},{"route":{"stream":"b"}},{"set":{"field":"x","value":1}}]`, "m", ``,
			`{"@timestamp":"2024-01-31T08:15:02.25Z","data_stream":{"dataset":"app","namespace":"b","type":"logs"},"ecs":{"version":"8.17.0"},` +
				evt + `,"message":"m",` + org + `,"x":1}`, Result{Stream: "b"}},
		{"conditions see earlier steps", `[{"set":{"field":"a","value":"x"}},{"set":{"if":"a:x","field":"b","value":"y"}}]`, "m", ``,
			ts + `"a":"x","b":"y",` + ds + evt + `,"message":"m",` + org + `}`, Result{}},
		{"condition false", `[{"remove":{"if":"-keep","fields":["a"]}}]`, "keep it", `{"a":1}`,
			ts + `"a":1,` + ds + evt + `,"message":"keep it",` + org + `}`, Result{}},
		{"redact the message", `[{"redact":{"builtins":["email"]}}]`, "from bob@example.com", ``,
			head + evt + `,"message":"from [REDACTED]",` + org + `}`, Result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.steps)
			d := event(t, tt.message, tt.fields)
			res := p.Run(d, nil)
			require.Equal(t, tt.result, res)
			require.Equal(t, tt.want, string(d.AppendJSON(nil)))
		})
	}
}

func TestDuplicate(t *testing.T) {
	p := mustCompile(t, `[
		{"duplicate":{"if":"error","stream":"errors"}},
		{"set":{"field":"labels.step","value":"after"}},
		{"duplicate":{"dataset":"app.copy"}},
		{"route":{"stream":"main"}}
	]`)
	d := event(t, "an error", `{"labels":{"step":"before"}}`)
	var copies []string
	var meta []Copy
	res := p.Run(d, func(c Copy) {
		meta = append(meta, c)
		copies = append(copies, string(d.AppendJSON(nil)))
	})
	require.Equal(t, Result{Stream: "main"}, res)
	require.Equal(t, []Copy{{Stream: "errors", EventID: "01HNB-7-dup0"}, {Dataset: "app.copy", EventID: "01HNB-7-dup2"}}, meta)
	require.Equal(t, []string{
		`{"@timestamp":"2024-01-31T08:15:02.25Z","data_stream":{"dataset":"app","namespace":"errors","type":"logs"},"ecs":{"version":"8.17.0"},` +
			`"event":{"dataset":"app","id":"01HNB-7-dup0","ingested":"2024-01-31T08:15:03Z"},"labels":{"step":"before"},"message":"an error",` + org + `}`,
		`{"@timestamp":"2024-01-31T08:15:02.25Z","data_stream":{"dataset":"app.copy","namespace":"web","type":"logs"},"ecs":{"version":"8.17.0"},` +
			`"event":{"dataset":"app.copy","id":"01HNB-7-dup2","ingested":"2024-01-31T08:15:03Z"},"labels":{"step":"after"},"message":"an error",` + org + `}`,
	}, copies)
	require.Equal(t, `{"@timestamp":"2024-01-31T08:15:02.25Z","data_stream":{"dataset":"app","namespace":"main","type":"logs"},"ecs":{"version":"8.17.0"},`+
		evt+`,"labels":{"step":"after"},"message":"an error",`+org+`}`, string(d.AppendJSON(nil)))

	// Without dup, copies are skipped and the event is unchanged by them.
	d = event(t, "an error", ``)
	require.Equal(t, Result{Stream: "main"}, p.Run(d, nil))
}

func TestNilPipeline(t *testing.T) {
	var p *Pipeline
	d := event(t, "m", ``)
	require.Equal(t, Result{}, p.Run(d, nil))
	for _, raw := range []string{``, `null`, ` [] `} {
		p, err := Compile(json.RawMessage(raw))
		require.NoError(t, err, raw)
		require.Equal(t, Result{}, p.Run(d, nil))
	}
}

// A copy made after a route leaves the route's fields to the original.
func TestDuplicateAfterRoute(t *testing.T) {
	p := mustCompile(t, `[{"route":{"stream":"main","dataset":"app.main"}},{"duplicate":{"stream":"archive"}}]`)
	d := event(t, "m", ``)
	var copied string
	res := p.Run(d, func(Copy) { copied = string(d.AppendJSON(nil)) })
	require.Equal(t, Result{Stream: "main", Dataset: "app.main"}, res)
	require.Contains(t, copied, `"data_stream":{"dataset":"app.main","namespace":"archive","type":"logs"}`)
	require.Contains(t, copied, `"id":"01HNB-7-dup1"`)
	got := string(d.AppendJSON(nil))
	require.Contains(t, got, `"data_stream":{"dataset":"app.main","namespace":"main","type":"logs"}`)
	require.Contains(t, got, `"event":{"dataset":"app.main","id":"01HNB-7",`)
}

func TestPipelineStreams(t *testing.T) {
	p, err := Compile(json.RawMessage(`[{"route":{"if":"x","stream":"audit"}},{"set":{"field":"a","value":"b"}},
		{"duplicate":{"dataset":"copy"}},{"duplicate":{"stream":"archive"}}]`))
	require.NoError(t, err)
	require.Equal(t, []string{"audit", "archive"}, p.Streams())
	require.Nil(t, (*Pipeline)(nil).Streams())
}
