package cep

import (
	"time"

	"github.com/trolly-logs/trolly/alerting/rule"
)

// Engine evaluates one tenant's rules. It is not safe for concurrent use: the alerting
// layer gives each tenant to one goroutine at a time.
type Engine struct {
	cfg      Config
	rules    []*ruleState
	index    *index
	terms    *terms
	tick     time.Time // when the watermarks next move every rule on
	now      time.Time // the clock: Advance and the events' arrival move it on
	newest   time.Time // the newest event time seen
	stats    Stats
	out      []Alert
	emitting *ruleState
}

// ruleState is a rule with what it holds.
type ruleState struct {
	Rule
	where    pred
	eval     evaluator
	suppress *suppressor // nil without suppression
}

// evaluator is the state of one kind of rule.
type evaluator interface {
	// event applies an event that matched the rule's where, at t on the rule's time base,
	// which is not older than the rule's watermark.
	event(e *Engine, ev *Event, t time.Time)
	// advance closes what the watermark w has passed.
	advance(e *Engine, w time.Time)
}

// New returns an engine for rules, whose clock starts at now.
func New(cfg Config, rules []Rule, now time.Time) *Engine {
	cfg.applyDefaults()
	e := &Engine{cfg: cfg, now: now}
	e.SetRules(rules)
	return e
}

// SetRules replaces the rules. A rule of the same id and version keeps its state; a new,
// changed or re-enabled one starts afresh, and a removed or disabled one is dropped.
func (e *Engine) SetRules(rules []Rule) {
	old := map[string]*ruleState{}
	for _, rs := range e.rules {
		old[rs.ID] = rs
	}
	e.rules = e.rules[:0:0]
	// The predicates of every rule, kept or new, are compiled afresh over new shared
	// terms, so that the terms of rules gone go with them.
	e.terms = &terms{whole: e.cfg.naive}
	for _, r := range rules {
		if !r.Rule.IsEnabled() {
			continue
		}
		rs := old[r.ID]
		if rs == nil || rs.Version != r.Version {
			rs = e.newState(r)
		}
		rs.where = e.terms.compile(r.Where)
		if seq, ok := rs.eval.(*sequence); ok {
			seq.compile(e.terms)
		}
		e.rules = append(e.rules, rs)
	}
	e.index = newIndex(e.rules, e.cfg.naive)
}

func (e *Engine) newState(r Rule) *ruleState {
	rs := &ruleState{Rule: r}
	if r.SuppressFor > 0 {
		// Only a threshold's alerts are updated after they are raised.
		rs.suppress = newSuppressor(r.SuppressFor, r.Rule.Kind == rule.KindThreshold)
	}
	switch r.Rule.Kind {
	case rule.KindMatch:
		rs.eval = matchEval{}
	case rule.KindThreshold:
		rs.eval = newThreshold(r.Compiled)
	case rule.KindSequence:
		rs.eval = newSequence(r.Compiled)
	case rule.KindAbsence:
		rs.eval = newAbsence(r.Compiled, e.now)
	}
	return rs
}

// Process evaluates ev against the rules it may match (index) and returns the alerts
// raised or updated, valid until the next call.
func (e *Engine) Process(ev Event) []Alert {
	e.out = e.out[:0]
	e.stats.Events++
	if ev.Time.After(e.newest) {
		e.newest = ev.Time
	}
	if ev.Arrival.After(e.now) {
		e.now = ev.Arrival
	}
	if !later(e.now, e.newest).Before(e.tick) {
		e.advanceAll()
	}
	e.terms.next()
	base := later(e.now, e.newest)
	for _, i := range e.index.candidates(ev.Fields) {
		rs := e.rules[i]
		t, w := ev.Time, base.Add(-rs.Lateness)
		if rs.Compiled.Rule.Time == rule.TimeArrival {
			// The engine's clock, which the arrival moved on: on arrival time, no event
			// is late, even when the clock was advanced past its stamp.
			t, w = e.now, e.now
		}
		if rs.where != nil && !rs.where.match(e.terms, ev.Fields) {
			continue // a sequence has no where: its steps and until match for themselves
		}
		if t.Before(w) && rs.Compiled.Rule.Kind != rule.KindMatch {
			if seq, ok := rs.eval.(*sequence); !ok || seq.matters(e.terms, ev.Fields) {
				e.stats.Late++
			}
			continue
		}
		e.emitting = rs
		rs.eval.event(e, &ev, t)
	}
	e.emitting = nil
	return e.out
}

// advanceAll moves every rule to its watermark, and sets when to next: each second of
// the clock or of the events, so that an event costs the rules it may match only.
func (e *Engine) advanceAll() {
	for _, rs := range e.rules {
		e.emitting = rs
		w := e.watermark(rs)
		rs.eval.advance(e, w)
		if rs.suppress != nil {
			rs.suppress.expire(w)
		}
	}
	e.emitting = nil
	e.tick = later(e.now, e.newest).Truncate(time.Second).Add(time.Second)
}

// Advance sets the clock to now and returns the alerts that the watermarks it moves
// raise: windows closing, silences due. Valid until the next call.
func (e *Engine) Advance(now time.Time) []Alert {
	e.out = e.out[:0]
	if now.After(e.now) {
		e.now = now
	}
	e.advanceAll()
	return e.out
}

// Stats returns the counters.
func (e *Engine) Stats() Stats { return e.stats }

// watermark is the newer of the clock and the newest event, less the rule's lateness.
func (e *Engine) watermark(rs *ruleState) time.Time {
	if rs.Rule.Rule.Time == rule.TimeArrival {
		return e.now
	}
	w := e.now
	if e.newest.After(w) {
		w = e.newest
	}
	return w.Add(-rs.Lateness)
}

// admit reports whether a rule holding n groups may take one more, counting the overflow
// when not.
func (e *Engine) admit(n int) bool {
	if n >= e.cfg.MaxGroups {
		e.stats.Overflow++
		return false
	}
	return true
}

// closed says that the alert id of the rule being evaluated will not be updated again.
func (e *Engine) closed(id string) {
	if rs := e.emitting; rs.suppress != nil {
		rs.suppress.close(id)
	}
}

// emit hands an alert of the rule being evaluated to its suppression, then to the output.
func (e *Engine) emit(a Alert, ev *Event) {
	rs := e.emitting
	a.RuleID, a.Version, a.Severity = rs.ID, rs.Version, rs.Rule.Rule.Severity
	if rs.suppress != nil {
		a = rs.suppress.apply(e, rs, a, ev)
	}
	if a.New {
		e.stats.Alerts++
	}
	e.out = append(e.out, a)
}
