package cep

import (
	"slices"
	"strings"
	"time"
)

// suppressor makes one alert per key per period: an alert raised while its key's period
// runs is absorbed into the alert that opened it, which is updated instead (its count is
// the sum of the latest counts of the alerts it absorbed, itself included).
//
// A period's record stays while an alert of it may still be updated (a threshold's
// window is open): the evaluator says when one no longer can (close).
type suppressor struct {
	period  time.Duration
	updates bool               // the rule's alerts are updated after they are raised
	periods map[string]*period // by key, the newest
	members map[string]*period // by the id of each alert that may still be updated
	next    time.Time          // the earliest end of a period
}

type period struct {
	until time.Time
	alert Alert
	// counts holds the latest count of each alert absorbed; live how many may still change.
	counts map[string]int
	live   int
}

func newSuppressor(every time.Duration, updates bool) *suppressor {
	return &suppressor{period: every, updates: updates, periods: map[string]*period{}, members: map[string]*period{}}
}

// apply returns what to output for a, an alert of the rule rs raised or updated by ev.
func (s *suppressor) apply(e *Engine, rs *ruleState, a Alert, ev *Event) Alert {
	if p := s.members[a.ID]; p != nil {
		return p.absorb(a, e.cfg.MaxAlertEvents)
	}
	values := make([]string, len(rs.SuppressBy))
	for i, f := range rs.SuppressBy {
		if j := slices.Index(rs.Compiled.Rule.By, f); j >= 0 && j < len(a.Group) {
			values[i] = a.Group[j]
		} else if ev != nil {
			values[i], _ = value(ev.Fields, f) // a missing field is a value too: ""
		}
	}
	key := strings.Join(values, "\x00")
	if p := s.periods[key]; p != nil && a.First.Before(p.until) {
		s.join(p, a.ID)
		return p.absorb(a, e.cfg.MaxAlertEvents)
	}
	if len(s.periods) >= e.cfg.MaxGroups {
		e.stats.Overflow++
		return a // unsuppressed rather than lost
	}
	if len(rs.Compiled.Rule.By) == 0 {
		a.Group = values
	}
	kept := a
	kept.EventIDs = slices.Clone(a.EventIDs)
	p := &period{until: a.First.Add(s.period), alert: kept, counts: map[string]int{}}
	s.periods[key] = p
	s.join(p, a.ID)
	p.counts[a.ID] = a.Count
	if s.next.IsZero() || p.until.Before(s.next) {
		s.next = p.until
	}
	return a
}

func (s *suppressor) join(p *period, id string) {
	if s.updates {
		s.members[id] = p
		p.live++
	}
}

// close says that the alert id will not be updated again.
func (s *suppressor) close(id string) {
	if p := s.members[id]; p != nil {
		delete(s.members, id)
		p.live--
	}
}

// absorb records a's latest count and returns the period's alert, updated.
func (p *period) absorb(a Alert, maxIDs int) Alert {
	p.counts[a.ID] = a.Count
	total := 0
	for _, n := range p.counts {
		total += n
	}
	out := &p.alert
	out.Count, out.Last, out.New = total, later(out.Last, a.Last), false
	for _, id := range a.EventIDs {
		if !slices.Contains(out.EventIDs, id) {
			out.EventIDs = addID(out.EventIDs, id, maxIDs)
		}
	}
	if a.ID == out.ID {
		out.Value, out.End = a.Value, a.End
	}
	ret := *out
	ret.EventIDs = slices.Clone(out.EventIDs)
	return ret
}

// expire forgets the keys whose period ended before w; a period whose alerts may still be
// updated stays reachable from them (members) until they close.
func (s *suppressor) expire(w time.Time) {
	if s.next.IsZero() || w.Before(s.next) {
		return
	}
	s.next = time.Time{}
	for key, p := range s.periods {
		if !w.Before(p.until) {
			delete(s.periods, key)
			continue
		}
		if s.next.IsZero() || p.until.Before(s.next) {
			s.next = p.until
		}
	}
}
