package cep

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/alerting/rule"
	"github.com/trolly-logs/trolly/processor/ecs"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func compiled(t *testing.T, id, yaml string) Rule {
	t.Helper()
	r, err := rule.ParseYAML([]byte(yaml))
	require.NoError(t, err)
	c, err := rule.Compile(r)
	require.NoError(t, err)
	return Rule{ID: id, Version: 1, Compiled: c}
}

// event makes an event at t of a JSON document; its arrival is t too.
func event(t *testing.T, id string, ts time.Time, doc string) Event {
	t.Helper()
	var d ecs.Document
	require.NoError(t, d.MergeJSON([]byte(doc)))
	return Event{ID: id, Time: ts, Arrival: ts, Fields: &d}
}

// brief is what a test checks of an alert.
type brief struct {
	New         bool
	Group       string
	Count       int
	Value       float64
	Start, End  time.Duration
	First, Last time.Duration
	EventIDs    string
	IDOf        string // the test's name for the alert id
	Suppressed  bool
}

// run feeds steps to e: an Event is processed, a time.Time advances the clock. It returns
// the alerts, with ids named a, b, c, ... in order of appearance.
func run(e *Engine, steps ...any) []brief {
	names := map[string]string{}
	var out []brief
	for _, s := range steps {
		var as []Alert
		switch s := s.(type) {
		case Event:
			as = e.Process(s)
		case time.Time:
			as = e.Advance(s)
		}
		for _, a := range as {
			if names[a.ID] == "" {
				names[a.ID] = string(rune('a' + len(names)))
			}
			out = append(out, brief{
				New: a.New, Group: fmt.Sprint(a.Group), Count: a.Count, Value: a.Value,
				Start: a.Start.Sub(t0), End: a.End.Sub(t0), First: a.First.Sub(t0), Last: a.Last.Sub(t0),
				EventIDs: fmt.Sprint(a.EventIDs), IDOf: names[a.ID],
			})
		}
	}
	return out
}

func TestMatch(t *testing.T) {
	r := compiled(t, "r1", "name: panic\nkind: match\nwhere: '\"kernel panic\"'\n")
	e := New(Config{}, []Rule{r}, t0)
	got := run(e,
		event(t, "e1", at(0), `{"message":"kernel panic: oops"}`),
		event(t, "e2", at(time.Second), `{"message":"all well"}`),
		event(t, "e3", at(2*time.Second), `{"message":"Kernel Panic again"}`),
	)
	require.Equal(t, []brief{
		{New: true, Group: "[]", Count: 1, Value: 1, EventIDs: "[e1]", IDOf: "a"},
		{New: true, Group: "[]", Count: 1, Value: 1, Start: 2 * time.Second, End: 2 * time.Second, First: 2 * time.Second, Last: 2 * time.Second, EventIDs: "[e3]", IDOf: "b"},
	}, got)
	require.Equal(t, int64(2), e.Stats().Alerts)
}

func TestMatchSuppressed(t *testing.T) {
	r := compiled(t, "r1", "name: errors\nkind: match\nwhere: log.level:error\nsuppress: {by: [host.name], for: 10m}\n")
	e := New(Config{}, []Rule{r}, t0)
	got := run(e,
		event(t, "e1", at(0), `{"log":{"level":"error"},"host":{"name":"a"}}`),
		event(t, "e2", at(time.Minute), `{"log":{"level":"error"},"host":{"name":"a"}}`),
		event(t, "e3", at(2*time.Minute), `{"log":{"level":"error"},"host":{"name":"b"}}`),
		event(t, "e4", at(9*time.Minute), `{"log":{"level":"error"},"host":{"name":"a"}}`),
		event(t, "e5", at(10*time.Minute), `{"log":{"level":"error"},"host":{"name":"a"}}`), // the period [0, 10m) ended
	)
	require.Equal(t, []brief{
		{New: true, Group: "[a]", Count: 1, Value: 1, EventIDs: "[e1]", IDOf: "a"},
		{New: false, Group: "[a]", Count: 2, Value: 1, Last: time.Minute, EventIDs: "[e1 e2]", IDOf: "a"},
		{New: true, Group: "[b]", Count: 1, Value: 1, Start: 2 * time.Minute, End: 2 * time.Minute, First: 2 * time.Minute, Last: 2 * time.Minute, EventIDs: "[e3]", IDOf: "b"},
		{New: false, Group: "[a]", Count: 3, Value: 1, Last: 9 * time.Minute, EventIDs: "[e1 e2 e4]", IDOf: "a"},
		{New: true, Group: "[a]", Count: 1, Value: 1, Start: 10 * time.Minute, End: 10 * time.Minute, First: 10 * time.Minute, Last: 10 * time.Minute, EventIDs: "[e5]", IDOf: "c"},
	}, got)
	require.Equal(t, int64(3), e.Stats().Alerts, "updates are no new alerts")
}

const failure = `{"event":{"category":["authentication"],"outcome":"failure"},"source":{"ip":%q},"user":{"name":%q}}`

func fail(t *testing.T, id string, ts time.Time, ip, user string) Event {
	return event(t, id, ts, fmt.Sprintf(failure, ip, user))
}

func TestThresholdTumbling(t *testing.T) {
	r := compiled(t, "r1", `
name: brute force
kind: threshold
where: 'event.category:authentication AND event.outcome:failure'
by: [source.ip]
window: 1m
when: count >= 3
`)
	e := New(Config{}, []Rule{r}, t0)
	got := run(e,
		fail(t, "e1", at(0), "10.0.0.1", "u"),
		fail(t, "e2", at(10*time.Second), "10.0.0.1", "u"),
		fail(t, "e3", at(20*time.Second), "10.0.0.2", "u"),
		fail(t, "e4", at(59*time.Second), "10.0.0.1", "u"), // the third of .1 in [0, 1m): fires
		fail(t, "e5", at(59*time.Second), "10.0.0.1", "u"), // updates it
		fail(t, "e6", at(60*time.Second), "10.0.0.1", "u"), // the next window
		fail(t, "e7", at(61*time.Second), "10.0.0.1", "u"),
		event(t, "e8", at(62*time.Second), `{"event":{"outcome":"success"},"source":{"ip":"10.0.0.1"}}`),
		fail(t, "e9", at(119*time.Second), "10.0.0.1", "u"),
	)
	require.Equal(t, []brief{
		{New: true, Group: "[10.0.0.1]", Count: 3, Value: 3, End: time.Minute, Last: 59 * time.Second, EventIDs: "[e1 e2 e4]", IDOf: "a"},
		{New: false, Group: "[10.0.0.1]", Count: 4, Value: 4, End: time.Minute, Last: 59 * time.Second, EventIDs: "[e1 e2 e4 e5]", IDOf: "a"},
		{New: true, Group: "[10.0.0.1]", Count: 3, Value: 3, Start: time.Minute, End: 2 * time.Minute, First: time.Minute, Last: 119 * time.Second, EventIDs: "[e6 e7 e9]", IDOf: "b"},
	}, got)
}

func TestThresholdAtCloseAndLate(t *testing.T) {
	r := compiled(t, "r1", `
name: big responses
kind: threshold
where: 'http.response.body.bytes:*'
window: 1m
when: avg(http.response.body.bytes) > 100
lateness: 30s
`)
	e := New(Config{}, []Rule{r}, t0)
	body := func(id string, d time.Duration, n int) Event {
		return event(t, id, at(d), fmt.Sprintf(`{"http":{"response":{"body":{"bytes":%d}}}}`, n))
	}
	got := run(e,
		body("e1", 0, 50), body("e2", 10*time.Second, 200), // avg 125 in [0, 1m)
		at(80*time.Second),             // the watermark is at 50s: the window is open
		body("e3", 20*time.Second, 20), // older than the watermark: late, not counted
		at(89*time.Second),             // 59s
	)
	require.Empty(t, got, "a condition more events can undo waits for the window's end")
	require.Equal(t, int64(1), e.Stats().Late)
	got = run(e, at(90*time.Second)) // 60s: the window closes
	require.Equal(t, []brief{
		{New: true, Group: "[]", Count: 2, Value: 125, End: time.Minute, Last: 10 * time.Second, EventIDs: "[e1 e2]", IDOf: "a"},
	}, got)
	require.Empty(t, run(e, at(10*time.Minute)), "a window fires once")
}

func TestThresholdSliding(t *testing.T) {
	r := compiled(t, "r1", "name: s\nkind: threshold\nwhere: event.outcome:failure\nwindow: 2m\nslide: 1m\nwhen: count >= 2\n")
	e := New(Config{}, []Rule{r}, t0)
	got := run(e,
		fail(t, "e1", at(30*time.Second), "ip", "u"),
		fail(t, "e2", at(90*time.Second), "ip", "u"),  // [0, 2m) and [1m, 3m) hold 2 and 1: fires [0, 2m)
		fail(t, "e3", at(130*time.Second), "ip", "u"), // [1m, 3m) holds 2, overlapping: the same alert
		fail(t, "e4", at(250*time.Second), "ip", "u"),
		fail(t, "e5", at(260*time.Second), "ip", "u"), // [3m, 5m) and [4m, 6m) fire: one new alert
	)
	require.Equal(t, []brief{
		{New: true, Group: "[]", Count: 2, Value: 2, End: 2 * time.Minute, First: 30 * time.Second, Last: 90 * time.Second, EventIDs: "[e1 e2]", IDOf: "a"},
		{New: false, Group: "[]", Count: 2, Value: 2, End: 3 * time.Minute, First: 90 * time.Second, Last: 130 * time.Second, EventIDs: "[e2 e3]", IDOf: "a"},
		{New: true, Group: "[]", Count: 2, Value: 2, Start: 3 * time.Minute, End: 6 * time.Minute, First: 250 * time.Second, Last: 260 * time.Second, EventIDs: "[e4 e5]", IDOf: "b"},
	}, got)
}
