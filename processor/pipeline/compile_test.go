package pipeline

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search/query"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct{ steps, want string }{
		{`{}`, `pipeline: must be a list of steps: got object`},
		{`[`, `pipeline: must be a list of steps: invalid JSON at offset 1: unexpected end of JSON input`},
		{`[1]`, `pipeline[0]: must be an object with one key naming the step`},
		{`[{}]`, `pipeline[0]: must have exactly one key naming the step, not 0`},
		{`[{"set":{},"drop":{}}]`, `pipeline[0]: must have exactly one key naming the step, not 2`},
		{`[{"grok":{}}]`, `pipeline[0]: unknown step "grok"; one of drop, duplicate, redact, remove, rename, route, set`},
		{`[{"set":null}]`, `pipeline[0].set: must be an object`},
		{`[{"set":"x"}]`, `pipeline[0].set: must be an object, not string`},
		{`[{"set":{"field":"a","value":1,"typo":2}}]`, `pipeline[0].set: unknown key "typo"`},
		{`[{"set":{"field":1,"value":1}}]`, `pipeline[0].set.field: must be a string, not number`},
		{`[{"set":{"value":1}}]`, `pipeline[0].set.field: required`},
		{`[{"set":{"field":"a b","value":1}}]`, `pipeline[0].set.field: "a b" is not a field path: dot-separated names of letters, digits, '_', '@' and '-'`},
		{`[{"set":{"field":"a..b","value":1}}]`, `pipeline[0].set.field: "a..b" is not a field path: dot-separated names of letters, digits, '_', '@' and '-'`},
		{`[{"set":{"field":"a"}}]`, `pipeline[0].set: needs either value or copy_from`},
		{`[{"set":{"field":"a","value":1,"copy_from":"b"}}]`, `pipeline[0].set: needs either value or copy_from`},
		{`[{"set":{"field":"a","value":null}}]`, `pipeline[0].set.value: must be a string, a number or a boolean`},
		{`[{"set":{"field":"a","value":{"b":1}}}]`, `pipeline[0].set.value: must be a string, a number or a boolean`},
		{`[{"set":{"field":"a","value":[1]}}]`, `pipeline[0].set.value: must be a string, a number or a boolean`},
		{`[{"set":{"field":"a.b","copy_from":"a"}}]`, `pipeline[0].set.copy_from: "a" and field "a.b" must not hold each other`},
		{`[{"set":{"field":"a","copy_from":"-x"}}]`, `pipeline[0].set.copy_from: "-x" is not a field path: dot-separated names of letters, digits, '_', '@' and '-'`},
		{`[{"set":{"field":"event.id","value":"x"}}]`, `pipeline[0].set.field: "event.id" touches event.id, which the processor sets on every event`},
		{`[{"set":{"field":"event","value":"x"}}]`, `pipeline[0].set.field: "event" touches event.id, which the processor sets on every event`},
		{`[{"set":{"field":"@timestamp","value":"x"}}]`, `pipeline[0].set.field: "@timestamp" touches @timestamp, which the processor sets on every event`},
		{`[{"set":{"field":"organization.id.x","value":"x"}}]`, `pipeline[0].set.field: "organization.id.x" touches organization.id, which the processor sets on every event`},
		{`[{"set":{"field":"data_stream.namespace","value":"x"}}]`, `pipeline[0].set.field: "data_stream.namespace" touches data_stream.namespace, which the processor sets on every event; route and duplicate change it`},
		{`[{"set":{"field":"event.dataset","value":"x"}}]`, `pipeline[0].set.field: "event.dataset" touches event.dataset, which the processor sets on every event; route and duplicate change it`},
		{`[{"set":{"field":"message.text","value":"x"}}]`, `pipeline[0].set.field: "message.text" is inside the message, which is a string`},
		{`[{"rename":{"field":"message","to":"log"}}]`, `pipeline[0].rename.field: every event keeps its message: set or redact it instead`},
		{`[{"rename":{"field":"a","to":"ecs"}}]`, `pipeline[0].rename.to: "ecs" touches ecs.version, which the processor sets on every event`},
		{`[{"rename":{"field":"a","to":"a.b"}}]`, `pipeline[0].rename.to: "a.b" and field "a" must not hold each other`},
		{`[{"rename":{"field":"a"}}]`, `pipeline[0].rename.to: required`},
		{`[{"remove":{}}]`, `pipeline[0].remove.fields: must not be empty`},
		{`[{"remove":{"fields":"a"}}]`, `pipeline[0].remove.fields: must be a list of strings, not string`},
		{`[{"remove":{"fields":[1]}}]`, `pipeline[0].remove.fields: must be a list of strings, not number`},
		{`[{"set":{"field":"a","value":1e400}}]`, `pipeline[0].set.value: number out of range of a double`},
		{`[{"remove":{"fields":["a","message"]}}]`, `pipeline[0].remove.fields[1]: every event keeps its message: set or redact it instead`},
		{`[{"remove":{"fields":["a","data_stream"]}}]`, `pipeline[0].remove.fields[1]: "data_stream" touches data_stream.type, which the processor sets on every event`},
		{`[{"drop":{}}]`, `pipeline[0].drop.if: required: the query of the events the step applies to`},
		{`[{"drop":{"if":"  "}}]`, `pipeline[0].drop.if: required: the query of the events the step applies to`},
		{`[{"drop":{"if":"a OR"}}]`, `pipeline[0].drop.if: query: at offset 2: OR needs a term on its right`},
		{`[{"set":{"field":"a","value":1,"if":"x:"}}]`, `pipeline[0].set.if: query: at offset 0: field x needs a value after ':'`},
		{`[{"route":{}}]`, `pipeline[0].route: needs a stream, a dataset or both`},
		{`[{"route":{"stream":"Audit"}}]`, `pipeline[0].route.stream: "Audit" is not a stream name`},
		{`[{"duplicate":{"dataset":"app-audit"}}]`, `pipeline[0].duplicate.dataset: "app-audit" is not a dataset: lower-case letters, digits, '_' and '.', at most 100`},
		{`[{"duplicate":{"dataset":"_app"}}]`, `pipeline[0].duplicate.dataset: "_app" is not a dataset: lower-case letters, digits, '_' and '.', at most 100`},
		{`[{"redact":{}}]`, `pipeline[0].redact: needs builtins, patterns or both`},
		{`[{"redact":{"fields":[],"builtins":["email"]}}]`, `pipeline[0].redact.fields: must not be empty`},
		{`[{"redact":{"fields":["event.id"],"builtins":["email"]}}]`, `pipeline[0].redact.fields[0]: "event.id" touches event.id, which the processor sets on every event`},
		{`[{"redact":{"builtins":["email","ssn"]}}]`, `pipeline[0].redact.builtins[1]: unknown detector "ssn"; one of bearer_token, credit_card, email, url_password`},
		{`[{"set":{"field":"a","value":1}},{"set":{"field":"b","value":2}},{"redact":{"patterns":["ok","(unclosed"]}}]`,
			"pipeline[2].redact.patterns[1]: error parsing regexp: missing closing ): `(unclosed`"},
		{`[{"redact":{"patterns":[""]}}]`, `pipeline[0].redact.patterns[0]: must not be empty`},
		{`[{"redact":{"patterns":["a*"]}}]`, `pipeline[0].redact.patterns[0]: matches the empty string, so it would mask nothing`},
		{`[{"redact":{"patterns":["x"],"mask":7}}]`, `pipeline[0].redact.mask: must be a string, not number`},
	}
	for _, tt := range tests {
		t.Run(tt.steps, func(t *testing.T) {
			p, err := Compile(json.RawMessage(tt.steps))
			require.Nil(t, p)
			require.ErrorIs(t, err, ErrInvalid)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestCompileLimits(t *testing.T) {
	steps := make([]json.RawMessage, MaxSteps+1)
	for i := range steps {
		steps[i] = json.RawMessage(`{"set":{"field":"a","value":1}}`)
	}
	raw, err := json.Marshal(steps)
	require.NoError(t, err)
	_, err = Compile(raw)
	require.EqualError(t, err, "pipeline: 65 steps, at most 64")
	_, err = Compile(mustJSON(t, steps[:MaxSteps]))
	require.NoError(t, err)

	patterns := make([]string, maxPatterns+1)
	for i := range patterns {
		patterns[i] = "x"
	}
	_, err = Compile(mustJSON(t, []any{map[string]any{"redact": map[string]any{"patterns": patterns}}}))
	require.EqualError(t, err, "pipeline[0].redact.patterns: 33 entries, at most 32")
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// Field paths are exactly the query language's fields, so conditions can read what
// steps write.
func TestPathsAreQueryFields(t *testing.T) {
	for _, p := range []string{"a", "a.b", "@timestamp", "_x", "a-b.c_d.0", "a.@b", "0a", "a.", ".a", "a..b", "a b", "é", "a:b", "a*", "a\"b"} {
		_, err := query.Parse(p + ":v")
		n, _ := query.Parse(p + ":v")
		term, ok := n.(query.Term)
		require.Equal(t, err == nil && ok && term.Field == p, validPath(p), p)
	}
}
