package cep

import (
	"container/heap"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/alerting/rule"
)

// absence keeps, per group, the time of its newest event: a group that has been silent
// for the rule's for raises one alert, and is watched again from its next event. The
// groups watched are those seen, and the expected ones (a rule without by watches its one
// group), from when the rule was loaded.
type absence struct {
	c      *rule.Compiled
	groups map[string]*agroup
	due    expiryHeap
}

type agroup struct {
	values []string
	last   time.Time
	fired  bool
	queued bool
}

func newAbsence(c *rule.Compiled, now time.Time) *absence {
	a := &absence{c: c, groups: map[string]*agroup{}}
	expected := c.Rule.Expected
	if len(c.Rule.By) == 0 {
		expected = [][]string{nil}
	}
	for _, values := range expected {
		a.watch(strings.Join(values, "\x00"), values, now)
	}
	return a
}

func (a *absence) watch(key string, values []string, t time.Time) *agroup {
	g := &agroup{values: values, last: t, queued: true}
	a.groups[key] = g
	heap.Push(&a.due, expiry{at: t.Add(a.c.For).UnixNano(), key: key})
	return g
}

func (a *absence) event(e *Engine, ev *Event, t time.Time) {
	key, values, ok := groupOf(ev, a.c.Rule.By)
	if !ok {
		return
	}
	g := a.groups[key]
	if g == nil {
		if !e.admit(len(a.groups)) {
			return
		}
		a.watch(key, values, t)
		return
	}
	if t.After(g.last) {
		g.last = t
	}
	if g.fired {
		g.fired = false
		if !g.queued {
			g.queued = true
			heap.Push(&a.due, expiry{at: g.last.Add(a.c.For).UnixNano(), key: key})
		}
	}
}

// advance raises the silences the watermark has reached.
func (a *absence) advance(e *Engine, w time.Time) {
	for a.due.Len() > 0 && a.due[0].at <= w.UnixNano() {
		x := heap.Pop(&a.due).(expiry)
		g := a.groups[x.key]
		if g == nil {
			continue
		}
		g.queued = false
		if due := g.last.Add(a.c.For); due.After(w) { // an event came since
			g.queued = true
			heap.Push(&a.due, expiry{at: due.UnixNano(), key: x.key})
			continue
		}
		if g.fired {
			continue
		}
		g.fired = true
		end := g.last.Add(a.c.For)
		e.emit(Alert{
			ID: alertID(e.emitting.ID, e.emitting.Version, g.last, g.values...), Group: g.values,
			First: g.last, Last: g.last, Start: g.last, End: end, New: true,
		}, nil)
	}
}
