package cep

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const countRule = "name: c\nkind: threshold\nwhere: event.outcome:failure\nwindow: 1h\nwhen: count >= 3\n"

func TestSetRulesKeepsStateOfUnchangedRules(t *testing.T) {
	r := compiled(t, "r1", countRule)
	e := New(Config{}, []Rule{r}, t0)
	run(e, fail(t, "e1", at(0), "ip", "u"), fail(t, "e2", at(time.Second), "ip", "u"))
	e.SetRules([]Rule{r, compiled(t, "r2", countRule)})
	got := run(e, fail(t, "e3", at(2*time.Second), "ip", "u"))
	require.Len(t, got, 1, "r1 kept its two events; r2 started afresh")
	require.Equal(t, 3, got[0].Count)

	changed := r
	changed.Version = 2
	e.SetRules([]Rule{changed})
	require.Empty(t, run(e, fail(t, "e4", at(3*time.Second), "ip", "u"), fail(t, "e5", at(4*time.Second), "ip", "u")),
		"a new version starts afresh")
	require.Len(t, run(e, fail(t, "e6", at(5*time.Second), "ip", "u")), 1)

	off := false
	disabled := compiled(t, "r1", countRule)
	disabled.Version = 3
	disabled.Rule.Enabled = &off
	e.SetRules([]Rule{disabled})
	require.Empty(t, run(e, fail(t, "e7", at(6*time.Second), "ip", "u"), fail(t, "e8", at(7*time.Second), "ip", "u"),
		fail(t, "e9", at(8*time.Second), "ip", "u")), "a disabled rule sees nothing")
}

func TestMaxGroups(t *testing.T) {
	r := compiled(t, "r1", "name: c\nkind: threshold\nwhere: event.outcome:failure\nby: [source.ip]\nwindow: 1h\nwhen: count >= 1\n")
	e := New(Config{MaxGroups: 2}, []Rule{r}, t0)
	got := run(e,
		fail(t, "e1", at(0), "ip1", "u"), fail(t, "e2", at(0), "ip2", "u"), fail(t, "e3", at(0), "ip3", "u"),
	)
	require.Len(t, got, 2)
	require.Equal(t, int64(1), e.Stats().Overflow, "the third group is counted, not kept")
}

// TestReplayRaisesTheSameAlerts runs the same events on two engines: the alerts, ids
// included, are the same, so that a replay after a restart stores nothing twice.
func TestReplayRaisesTheSameAlerts(t *testing.T) {
	rules := func() []Rule {
		return []Rule{
			compiled(t, "t", "name: t\nkind: threshold\nwhere: event.outcome:failure\nby: [source.ip]\nwindow: 2m\nslide: 1m\nwhen: count >= 2\nsuppress: {for: 5m}\n"),
			compiled(t, "s", guessed),
			compiled(t, "m", "name: m\nkind: match\nwhere: event.outcome:success\n"),
		}
	}
	var evs []Event
	for i := range 200 {
		ip, user := fmt.Sprintf("ip%d", i%3), fmt.Sprintf("u%d", i%4)
		if i%7 == 0 {
			evs = append(evs, success(t, fmt.Sprintf("e%d", i), at(time.Duration(i)*10*time.Second), ip, user))
		} else {
			evs = append(evs, fail(t, fmt.Sprintf("e%d", i), at(time.Duration(i)*10*time.Second), ip, user))
		}
	}
	all := func() []Alert {
		e := New(Config{}, rules(), t0)
		var out []Alert
		for _, ev := range evs {
			out = append(out, e.Process(ev)...)
		}
		return append(out, e.Advance(at(24*time.Hour))...)
	}
	first, second := all(), all()
	require.NotEmpty(t, first)
	require.Equal(t, first, second)
	seen := map[string]bool{}
	for _, a := range first {
		if a.New {
			require.False(t, seen[a.ID], "a new alert's id is new")
		} else {
			require.True(t, seen[a.ID], "an update follows its alert")
		}
		seen[a.ID] = true
	}
}

func TestArrivalTimeIsNeverLate(t *testing.T) {
	r := compiled(t, "r1", "name: c\nkind: threshold\nwhere: event.outcome:failure\nwindow: 1m\nwhen: count >= 2\ntime: arrival\n")
	e := New(Config{}, []Rule{r}, t0)
	e.Advance(at(30 * time.Second))
	ev1 := fail(t, "e1", at(-time.Hour), "ip", "u") // stamped before the clock, event time an hour old
	ev1.Arrival = at(10 * time.Second)
	ev2 := fail(t, "e2", at(-time.Hour), "ip", "u")
	ev2.Arrival = at(20 * time.Second)
	require.Empty(t, e.Process(ev1))
	got := e.Process(ev2)
	require.Len(t, got, 1)
	require.Equal(t, at(30*time.Second), got[0].Last, "counted at the engine's clock")
	require.Zero(t, e.Stats().Late)
}
