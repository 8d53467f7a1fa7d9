package rule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/tenant"
)

const bruteForce = `
name: SSH brute force
severity: high
kind: threshold
where: 'event.category:authentication AND event.outcome:failure'
by: [source.ip]
window: 5m
when: count >= 20
suppress: {for: 1h}
labels: {team: security}
`

func TestCompileExamples(t *testing.T) {
	r, err := ParseYAML([]byte(bruteForce))
	require.NoError(t, err)
	c, err := Compile(r)
	require.NoError(t, err)
	require.Equal(t, KindThreshold, c.Rule.Kind)
	require.Equal(t, 5*time.Minute, c.Window)
	require.Equal(t, c.Window, c.Slide, "tumbling without a slide")
	require.Equal(t, Condition{Agg: AggCount, Op: OpGE, Value: 20}, c.When)
	require.Equal(t, []string{"source.ip"}, c.SuppressBy, "suppression by the rule's groups")
	require.Equal(t, time.Hour, c.SuppressFor)
	require.Equal(t, TimeEvent, c.Rule.Time)
	require.Equal(t, DefaultLateness, c.Lateness)
	require.True(t, c.Rule.IsEnabled())
	require.True(t, query.Match(c.Where, fieldsOf(t, `{"event":{"category":["authentication"],"outcome":"failure"}}`)))

	seq, err := ParseJSON([]byte(`{"name":"guessed password","kind":"sequence","by":["user.name"],"within":"10m",
		"steps":[{"where":"event.outcome:failure","times":5,"distinct":"source.ip"},
		         {"where":"event.outcome:success","equal":{"source.ip":1}}],
		"until":"event.action:password-reset","severity":"critical","enabled":false}`))
	require.NoError(t, err)
	c, err = Compile(seq)
	require.NoError(t, err)
	require.False(t, c.Rule.IsEnabled())
	require.Len(t, c.Steps, 2)
	require.Equal(t, 5, c.Steps[0].Times)
	require.Equal(t, 1, c.Steps[1].Times, "a step without times is one event")
	require.Equal(t, []BackRef{{Field: "source.ip", Step: 0}}, c.Steps[1].Equal)
	require.NotNil(t, c.Until)

	abs, err := ParseYAML([]byte("name: heartbeat\nkind: absence\nwhere: event.dataset:heartbeat\nby: [host.name]\nfor: 10m\nexpected: [[web-01], [web-02]]\ntime: arrival\n"))
	require.NoError(t, err)
	c, err = Compile(abs)
	require.NoError(t, err)
	require.Equal(t, 10*time.Minute, c.For)
	require.Zero(t, c.Lateness, "arrival time has no lateness")

	sliding, err := ParseJSON([]byte(`{"name":"errors","kind":"threshold","where":"log.level:error","window":"1h","slide":"5m","when":"distinct(host.name) > 3"}`))
	require.NoError(t, err)
	c, err = Compile(sliding)
	require.NoError(t, err)
	require.Equal(t, 5*time.Minute, c.Slide)
	require.Equal(t, Condition{Agg: AggDistinct, Field: "host.name", Op: OpGT, Value: 3}, c.When)

	m, err := ParseJSON([]byte(`{"name":"panic","kind":"match","where":"\"kernel panic\"","suppress":{"by":["host.name"],"for":"15m"}}`))
	require.NoError(t, err)
	c, err = Compile(m)
	require.NoError(t, err)
	require.Equal(t, DefaultSeverity, c.Rule.Severity)
	require.Equal(t, []string{"host.name"}, c.SuppressBy)
}

func TestCompileErrorsNameTheField(t *testing.T) {
	base := `{"name":"r","kind":"threshold","where":"a:b","window":"5m","when":"count >= 1"`
	for _, tc := range []struct{ doc, field string }{
		{`{"kind":"match","where":"a"}`, "name"},
		{`{"name":"a\u0007","kind":"match","where":"a"}`, "name"},
		{`{"name":"r","kind":"match","where":"a","severity":"urgent"}`, "severity"},
		{`{"name":"r","where":"a"}`, "kind"},
		{`{"name":"r","kind":"cep","where":"a"}`, "kind"},
		{`{"name":"r","kind":"match"}`, "where"},
		{`{"name":"r","kind":"match","where":"a AND ("}`, "where"},
		{`{"name":"r","kind":"match","where":"*"}`, "where"},
		{`{"name":"r","kind":"match","where":"a","by":["host.name"]}`, "by"},
		{`{"name":"r","kind":"match","where":"a","window":"5m"}`, "window"},
		{`{"name":"r","kind":"match","where":"a","labels":{"Team":"x"}}`, "labels.Team"},
		{`{"name":"r","kind":"match","where":"a","wher":"b"}`, "wher"},
		{`{"name":"r","kind":"match","where":"a","by":"host.name"}`, "by"},
		{`{"name":"r","kind":"match","where":"a","time":"wall"}`, "time"},
		{`{"name":"r","kind":"match","where":"a","time":"arrival","lateness":"1m"}`, "lateness"},
		{`{"name":"r","kind":"match","where":"a","lateness":"2h"}`, "lateness"},
		{`{"name":"r","kind":"match","where":"a","suppress":{}}`, "suppress.for"},
		{`{"name":"r","kind":"match","where":"a","suppress":{"for":"1h","by":["a b"]}}`, "suppress.by"},
		{base + `,"window":"1.5s"}`, "window"},
		{base + `,"by":["h"],"suppress":{"for":"1h","by":["u"]}}`, "suppress.by"},
		{`{"name":"r","kind":"threshold","where":"a:b","window":"5m","when":"count >= 1","window":"8d"}`, "window"},
		{`{"name":"r","kind":"threshold","where":"a:b","when":"count >= 1"}`, "window"},
		{base + `,"slide":"7m"}`, "slide"},
		{base + `,"slide":"2m"}`, "slide"},
		{base + `,"slide":"1s"}`, "slide"},
		{`{"name":"r","kind":"threshold","where":"a:b","window":"5m"}`, "when"},
		{`{"name":"r","kind":"threshold","where":"a:b","window":"5m","when":"median(x) > 1"}`, "when"},
		{base + `,"by":["a","a"]}`, "by"},
		{base + `,"steps":[{"where":"a"}]}`, "steps"},
		{`{"name":"r","kind":"sequence","within":"1m"}`, "steps"},
		{`{"name":"r","kind":"sequence","within":"1m","steps":[{"where":"a"},{"where":""}]}`, "steps[1].where"},
		{`{"name":"r","kind":"sequence","within":"1m","steps":[{"where":"a","times":-1}]}`, "steps[0].times"},
		{`{"name":"r","kind":"sequence","within":"1m","steps":[{"where":"a","distinct":"."}]}`, "steps[0].distinct"},
		{`{"name":"r","kind":"sequence","within":"1m","steps":[{"where":"a"},{"where":"b","equal":{"user.name":2}}]}`, "steps[1].equal.user.name"},
		{`{"name":"r","kind":"sequence","steps":[{"where":"a"}]}`, "within"},
		{`{"name":"r","kind":"sequence","within":"1m","steps":[{"where":"a"}],"where":"b"}`, "where"},
		{`{"name":"r","kind":"sequence","within":"1m","steps":[{"where":"a"}],"until":"("}`, "until"},
		{`{"name":"r","kind":"absence","where":"a"}`, "for"},
		{`{"name":"r","kind":"absence","where":"a","for":"1m","expected":[["x"]]}`, "expected[0]"},
		{`{"name":"r","kind":"absence","where":"a","for":"1m","by":["h"],"expected":[["x","y"]]}`, "expected[0]"},
		{`{"name":"r","kind":"match","where":"a"} {}`, "rule"},
		{`[1]`, "rule"},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			r, err := ParseJSON([]byte(tc.doc))
			if err == nil {
				_, err = Compile(r)
			}
			require.ErrorIs(t, err, tenant.ErrInvalid)
			require.Equal(t, tc.field, tenant.FieldOf(err), "%v", err)
		})
	}
}

func TestParseYAMLStrict(t *testing.T) {
	_, err := ParseYAML([]byte("name: r\nkind: match\nwhere: a\nsuppres: {for: 1h}\n"))
	require.Equal(t, "suppres", tenant.FieldOf(err))
	_, err = ParseYAML([]byte("- name: r\n"))
	require.Equal(t, "rule", tenant.FieldOf(err))
	_, err = ParseYAML(make([]byte, MaxDocumentBytes+1))
	require.Equal(t, "rule", tenant.FieldOf(err))
}

func TestConditions(t *testing.T) {
	for s, want := range map[string]Condition{
		"count >= 20":                         {Agg: AggCount, Op: OpGE, Value: 20},
		"count()>5":                           {Agg: AggCount, Op: OpGT, Value: 5},
		"sum(http.response.body.bytes) > 1e9": {Agg: AggSum, Field: "http.response.body.bytes", Op: OpGT, Value: 1e9},
		" avg( a ) <2.5 ":                     {Agg: AggAvg, Field: "a", Op: OpLT, Value: 2.5},
		"min(a) == 0":                         {Agg: AggMin, Field: "a", Op: OpEQ, Value: 0},
		"max(a) <= -1":                        {Agg: AggMax, Field: "a", Op: OpLE, Value: -1},
	} {
		got, err := ParseCondition(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
		again, err := ParseCondition(got.String())
		require.NoError(t, err)
		require.Equal(t, got, again)
	}
	for _, s := range []string{"", "count", "count >=", "count >= x", "count(a) > 1", "sum > 1", "sum(a b) > 1",
		"count != 1", "count >= NaN", "count >= Inf", "count >= 1 2", "sum(a > 1"} {
		_, err := ParseCondition(s)
		require.Error(t, err, s)
	}
	c := Condition{Agg: AggCount, Op: OpGE, Value: 20}
	require.True(t, c.Holds(20))
	require.False(t, c.Holds(19))
	c.Op = OpEQ
	require.True(t, c.Holds(20))
	require.False(t, c.Holds(21))
}

// fieldsOf makes a JSON document a query.Fields, as the processor reads one.
func fieldsOf(t *testing.T, doc string) query.Fields {
	var d ecs.Document
	require.NoError(t, d.MergeJSON([]byte(doc)))
	return &d
}
