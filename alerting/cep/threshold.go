package cep

import (
	"container/heap"
	"math"
	"slices"
	"time"

	"github.com/trolly-logs/trolly/alerting/rule"
)

// threshold keeps, per group, the aggregate of every open window: window k covers
// [k×slide, k×slide+window), so an event is in window/slide windows (one when tumbling).
//
// A condition that more events cannot undo (count, distinct, sum or max above a bound, min
// below one) fires as soon as it holds, and the alert is updated as the window fills; any
// other fires when the watermark closes the window. On sliding windows, the windows of a
// group that fire while overlapping one that fired make one alert: its count and value
// are the newest window's.
type threshold struct {
	c             *rule.Compiled
	slide, window int64 // nanoseconds
	eager         bool
	groups        map[string]*tgroup
	ends          expiryHeap
}

type tgroup struct {
	values []string
	wins   map[int64]*win
	// the alert of the newest window that fired, and where that window ends
	alertID       string
	start, firedT int64
}

type win struct {
	count       int
	sum         float64
	min, max    float64
	distinct    map[string]struct{}
	first, last time.Time
	ids         []string
	fired       bool
}

func newThreshold(c *rule.Compiled) *threshold {
	return &threshold{c: c, slide: int64(c.Slide), window: int64(c.Window), eager: eager(c.When), groups: map[string]*tgroup{}}
}

// eager reports whether more events can only keep the condition holding once it does.
func eager(c rule.Condition) bool {
	up := c.Op == rule.OpGE || c.Op == rule.OpGT
	switch c.Agg {
	case rule.AggCount, rule.AggDistinct, rule.AggSum, rule.AggMax:
		return up
	case rule.AggMin:
		return c.Op == rule.OpLE || c.Op == rule.OpLT
	}
	return false
}

func (th *threshold) event(e *Engine, ev *Event, t time.Time) {
	key, values, ok := groupOf(ev, th.c.Rule.By)
	if !ok {
		return
	}
	var x float64
	var distinct string
	switch th.c.When.Agg {
	case rule.AggSum, rule.AggAvg, rule.AggMin, rule.AggMax:
		if x, ok = number(ev.Fields, th.c.When.Field); !ok {
			return
		}
	case rule.AggDistinct:
		if distinct, ok = value(ev.Fields, th.c.When.Field); !ok {
			return
		}
	}
	g := th.groups[key]
	if g == nil {
		if !e.admit(len(th.groups)) {
			return
		}
		g = &tgroup{values: values, wins: map[int64]*win{}}
		th.groups[key] = g
	}
	ts := t.UnixNano()
	b := floorDiv(ts, th.slide)
	n := th.window / th.slide
	fired, isNew := int64(math.MinInt64), false
	for k := b - n + 1; k <= b; k++ {
		w := g.wins[k]
		if w == nil {
			w = &win{min: math.Inf(1), max: math.Inf(-1)}
			g.wins[k] = w
			heap.Push(&th.ends, expiry{at: k*th.slide + th.window, key: key, k: k})
		}
		if !w.add(t, ev.ID, x, distinct, e) {
			continue
		}
		if !w.fired && th.eager && th.c.When.Holds(w.value(th.c.When.Agg)) {
			w.fired = true
			isNew = th.episode(e, g, k) || isNew
		}
		if w.fired {
			fired = k
		}
	}
	if fired != math.MinInt64 {
		th.emit(e, g, fired, isNew, ev)
	}
}

// add counts an event in the window; false when a bound kept it out.
func (w *win) add(t time.Time, id string, x float64, distinct string, e *Engine) bool {
	if distinct != "" {
		if w.distinct == nil {
			w.distinct = map[string]struct{}{}
		}
		if _, seen := w.distinct[distinct]; !seen {
			if len(w.distinct) >= e.cfg.MaxDistinct {
				e.stats.Overflow++
				return false
			}
			w.distinct[distinct] = struct{}{}
		}
	}
	if w.count == 0 || t.Before(w.first) {
		w.first = t
	}
	w.last = later(w.last, t)
	w.count++
	w.sum += x
	w.min, w.max = math.Min(w.min, x), math.Max(w.max, x)
	w.ids = addID(w.ids, id, e.cfg.MaxAlertEvents)
	return true
}

func (w *win) value(agg rule.Aggregate) float64 {
	switch agg {
	case rule.AggDistinct:
		return float64(len(w.distinct))
	case rule.AggSum:
		return w.sum
	case rule.AggAvg:
		return w.sum / float64(w.count)
	case rule.AggMin:
		return w.min
	case rule.AggMax:
		return w.max
	}
	return float64(w.count)
}

// episode records that window k of g fired: it joins the alert of the window that fired
// last when the two overlap, and starts a new alert otherwise (true).
func (th *threshold) episode(e *Engine, g *tgroup, k int64) bool {
	start := k * th.slide
	isNew := g.alertID == "" || start >= g.firedT
	if isNew {
		if g.alertID != "" {
			e.closed(g.alertID)
		}
		g.alertID, g.start = alertID(e.emitting.ID, e.emitting.Version, time.Unix(0, start), g.values...), start
	}
	g.firedT = max(g.firedT, start+th.window)
	return isNew
}

// emit outputs the alert of g with the figures of its window k.
func (th *threshold) emit(e *Engine, g *tgroup, k int64, isNew bool, ev *Event) {
	w := g.wins[k]
	e.emit(Alert{
		ID: g.alertID, Group: g.values, First: w.first, Last: w.last,
		Start: time.Unix(0, g.start).UTC(), End: time.Unix(0, k*th.slide+th.window).UTC(),
		Count: w.count, Value: w.value(th.c.When.Agg), EventIDs: slices.Clone(w.ids), New: isNew,
	}, ev)
}

// advance closes the windows the watermark passed, firing those whose condition holds
// at the end.
func (th *threshold) advance(e *Engine, w time.Time) {
	wn := w.UnixNano()
	for th.ends.Len() > 0 && th.ends[0].at <= wn {
		we := heap.Pop(&th.ends).(expiry)
		g := th.groups[we.key]
		if g == nil {
			continue
		}
		if win := g.wins[we.k]; win != nil {
			if !th.eager && th.c.When.Holds(win.value(th.c.When.Agg)) {
				th.emit(e, g, we.k, th.episode(e, g, we.k), nil)
			}
			delete(g.wins, we.k)
		}
		if len(g.wins) == 0 {
			if g.alertID != "" {
				e.closed(g.alertID)
			}
			delete(th.groups, we.key)
		}
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
