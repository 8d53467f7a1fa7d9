// Package cep evaluates one tenant's alert rules on its events: the complex-event-processing
// core of the alerting layer, without queues, clocks or stores. The caller hands it events
// in arrival order and the time, and gets back the alerts raised or updated.
//
// Time. A rule on event time reads each event's @timestamp; its watermark is the newer of
// the engine's clock and the newest event seen, less the rule's lateness. A window closes,
// a sequence expires and a silence is due once the watermark passes them; an event older
// than its rule's watermark is late: counted (Stats.Late), never applied. A rule on arrival
// time reads the engine's clock when it processes the event (an event's Arrival moves the
// clock on), and its watermark is the clock: no event is late for it.
//
// Alerts. An alert's id is derived from the rule, its version, the group and the start of
// its window (or sequence, or silence), so that replaying the same events after a restart
// raises the same ids. Updates carry absolute counts: storing one twice changes nothing.
package cep

import (
	"time"

	"github.com/trolly-logs/trolly/alerting/rule"
	"github.com/trolly-logs/trolly/search/query"
)

// Event is one event of the tenant.
type Event struct {
	ID      string
	Time    time.Time // @timestamp
	Arrival time.Time // when the engine received it
	Fields  query.Fields
}

// Rule is a compiled rule with its identity in the catalog.
type Rule struct {
	ID      string
	Version int
	*rule.Compiled
}

// Alert is an alert raised, or one raised earlier and updated by later events.
type Alert struct {
	ID       string
	RuleID   string
	Version  int
	Severity rule.Severity
	// Group holds the values of the rule's by fields (of suppress.by for a match rule).
	Group []string
	// First and Last are the times (on the rule's time base) of the first and the newest
	// event counted; Start and End bound the window, sequence or silence.
	First, Last time.Time
	Start, End  time.Time
	// Count is the events counted in the alert; Value the aggregate of a threshold.
	Count int
	Value float64
	// EventIDs are the ids of the first events counted, at most Config.MaxAlertEvents.
	EventIDs []string
	// New is false for an update of an alert already returned.
	New bool
}

// Config bounds what the engine holds for the tenant.
type Config struct {
	// MaxGroups bounds the groups each rule keeps state for; an event of one more group
	// is counted in Stats.Overflow and not applied.
	MaxGroups int
	// MaxAlertEvents bounds the event ids an alert keeps.
	MaxAlertEvents int
	// MaxDistinct bounds the values a distinct count or a step's distinct keeps per group;
	// past it the count stays at the bound and Stats.Overflow counts the event.
	MaxDistinct int
	// naive gives every event to every rule, for the differential test of the index.
	naive bool
}

// Defaults of Config.
const (
	DefaultMaxGroups      = 100_000
	DefaultMaxAlertEvents = 20
	DefaultMaxDistinct    = 10_000
)

func (c *Config) applyDefaults() {
	if c.MaxGroups <= 0 {
		c.MaxGroups = DefaultMaxGroups
	}
	if c.MaxAlertEvents <= 0 {
		c.MaxAlertEvents = DefaultMaxAlertEvents
	}
	if c.MaxDistinct <= 0 {
		c.MaxDistinct = DefaultMaxDistinct
	}
}

// Stats are counters since the engine started.
type Stats struct {
	Events   int64 // events processed
	Late     int64 // rule evaluations skipped because the event was late
	Overflow int64 // rule evaluations skipped at a bound of Config
	Alerts   int64 // alerts raised (not updates)
}
