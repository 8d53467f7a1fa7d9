package cep

import (
	"container/heap"
	"slices"
	"time"

	"github.com/trolly-logs/trolly/alerting/rule"
	"github.com/trolly-logs/trolly/search/query"
)

// sequence keeps one partial match per group: the step it waits for, the events counted
// there, and what the steps before it saw for the back-references of the later ones.
//
// Events are taken in the order they arrive; one older than the event that completed the
// previous step cannot advance the match. A partial match lasts within from its first
// event: the first step keeps the times of its events, so that when the oldest leave the
// span the match goes on from the next; past the first step, the match is dropped. An
// event that matches until drops its group's partial match.
type sequence struct {
	c      *rule.Compiled
	steps  []pred // compiled over the engine's shared terms (compile)
	until  pred
	refs   [][]string // per step: the fields later steps read back from it
	terms  *terms
	groups map[string]*partial
	due    expiryHeap
	gen    uint64 // numbers the partial matches, so that a stale expiry finds none
}

type partial struct {
	values   []string
	step     int
	anchors  []anchor // the first step's events, oldest first
	count    int      // events counted at step (anchors at the first)
	distinct map[string]struct{}
	last     time.Time
	saw      []map[string]string // per completed step: the values of its refs
	ids      []string
	total    int
	gen      uint64
	queued   bool // an expiry of this partial match is in due
}

type anchor struct {
	t        time.Time
	id, dist string
}

func newSequence(c *rule.Compiled) *sequence {
	s := &sequence{c: c, groups: map[string]*partial{}, refs: make([][]string, len(c.Steps))}
	for _, st := range c.Steps {
		for _, r := range st.Equal {
			if !slices.Contains(s.refs[r.Step], r.Field) {
				s.refs[r.Step] = append(s.refs[r.Step], r.Field)
			}
		}
	}
	return s
}

// compile compiles the steps and until over the engine's shared terms.
func (s *sequence) compile(ts *terms) {
	s.terms = ts
	s.steps = s.steps[:0]
	for _, st := range s.c.Steps {
		s.steps = append(s.steps, ts.compile(st.Where))
	}
	s.until = ts.compile(s.c.Until)
}

func (s *sequence) event(e *Engine, ev *Event, t time.Time) {
	key, values, ok := groupOf(ev, s.c.Rule.By)
	if !ok {
		return
	}
	p := s.groups[key]
	if s.until != nil && s.until.match(s.terms, ev.Fields) {
		delete(s.groups, key)
		return
	}
	if p != nil {
		if !s.matters(s.terms, ev.Fields) {
			return // an event of no step leaves the match as it is
		}
		s.expire(p, t)
		if p.step == 0 && len(p.anchors) == 0 {
			p = nil
			delete(s.groups, key)
		}
	}
	if p == nil {
		if !s.steps[0].match(s.terms, ev.Fields) {
			return
		}
		if !e.admit(len(s.groups)) {
			return
		}
		s.gen++
		p = &partial{values: values, gen: s.gen}
		s.groups[key] = p
	}
	if !s.advance1(e, p, ev, t) {
		return
	}
	if p.step == len(s.steps) {
		s.fire(e, p, ev, t)
		delete(s.groups, key)
		return
	}
	if !p.queued {
		p.queued = true
		heap.Push(&s.due, expiry{at: p.start().Add(s.c.Within).UnixNano(), key: key, gen: p.gen})
	}
}

// matters reports whether f matches a step or until: a late event that does not is
// nothing the rule missed.
func (s *sequence) matters(ts *terms, f query.Fields) bool {
	if s.until != nil && s.until.match(ts, f) {
		return true
	}
	for _, m := range s.steps {
		if m.match(ts, f) {
			return true
		}
	}
	return false
}

func (p *partial) start() time.Time {
	if len(p.anchors) > 0 {
		return p.anchors[0].t
	}
	return p.last
}

// advance1 counts ev at the step p waits for, when it matches it; true when it counted.
func (s *sequence) advance1(e *Engine, p *partial, ev *Event, t time.Time) bool {
	st := s.c.Steps[p.step]
	if !s.steps[p.step].match(s.terms, ev.Fields) || p.step > 0 && t.Before(p.last) {
		return false
	}
	for _, r := range st.Equal {
		if v, ok := value(ev.Fields, r.Field); !ok || v != p.saw[r.Step][r.Field] {
			return false
		}
	}
	var dist string
	if st.Distinct != "" {
		var ok bool
		if dist, ok = value(ev.Fields, st.Distinct); !ok {
			return false
		}
		if _, seen := p.distinct[dist]; seen {
			return false
		}
		if len(p.distinct) >= e.cfg.MaxDistinct {
			e.stats.Overflow++
			return false
		}
		if p.distinct == nil {
			p.distinct = map[string]struct{}{}
		}
		p.distinct[dist] = struct{}{}
	}
	if p.step == 0 {
		p.anchors = append(p.anchors, anchor{t: t, id: ev.ID, dist: dist})
	} else {
		p.ids = addID(p.ids, ev.ID, e.cfg.MaxAlertEvents)
	}
	p.count++
	p.total++
	p.last = later(p.last, t)
	if p.count < st.Times {
		return true
	}
	if p.step == 0 {
		for _, a := range p.anchors {
			p.ids = addID(p.ids, a.id, e.cfg.MaxAlertEvents)
		}
	}
	saw := map[string]string{}
	for _, f := range s.refs[p.step] {
		saw[f], _ = value(ev.Fields, f)
	}
	p.saw = append(p.saw, saw)
	p.step++
	p.count, p.distinct = 0, nil
	return true
}

// expire drops from p what lies more than within before t.
func (s *sequence) expire(p *partial, t time.Time) {
	from := t.Add(-s.c.Within)
	if !p.start().Before(from) {
		return
	}
	if p.step > 0 {
		*p = partial{values: p.values, gen: p.gen, queued: p.queued}
		return
	}
	for len(p.anchors) > 0 && p.anchors[0].t.Before(from) {
		delete(p.distinct, p.anchors[0].dist)
		p.anchors = p.anchors[1:]
		p.count--
		p.total--
	}
}

func (s *sequence) fire(e *Engine, p *partial, ev *Event, t time.Time) {
	start := p.start()
	a := Alert{
		ID: alertID(e.emitting.ID, e.emitting.Version, start, p.values...), Group: p.values,
		First: start, Last: t, Start: start, End: t, Count: p.total, Value: float64(p.total),
		EventIDs: slices.Clone(p.ids), New: true,
	}
	e.emit(a, ev)
}

// advance drops the partial matches the watermark has put out of reach.
func (s *sequence) advance(_ *Engine, w time.Time) {
	// A partial match lasts while its first event is no more than within before the
	// watermark: it is due once the watermark is past that.
	for s.due.Len() > 0 && s.due[0].at < w.UnixNano() {
		x := heap.Pop(&s.due).(expiry)
		p := s.groups[x.key]
		if p == nil || p.gen != x.gen {
			continue
		}
		p.queued = false
		s.expire(p, w)
		if p.step == 0 && len(p.anchors) == 0 {
			delete(s.groups, x.key)
			continue
		}
		p.queued = true
		heap.Push(&s.due, expiry{at: p.start().Add(s.c.Within).UnixNano(), key: x.key, gen: p.gen})
	}
}

// expiry is when something of a group is due: a window's end, a partial match's or a
// silence's deadline. gen tells a stale one (sequence), k which window (threshold).
type expiry struct {
	at  int64
	key string
	gen uint64
	k   int64
}

type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
