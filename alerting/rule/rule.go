// Package rule is the model of an alert rule: a tenant's document (JSON over the API, YAML
// in files), its strict reading, and its validation into a compiled form whose predicates
// are search/query trees. Validation errors name their field (tenant.FieldOf), as every
// catalog object's do.
package rule

import (
	"time"
)

// Kind is what a rule watches for.
type Kind string

// Kinds of rules.
const (
	// KindMatch raises an alert for every event matching Where.
	KindMatch Kind = "match"
	// KindThreshold compares an aggregate of the events matching Where in a window, per
	// group of By, with a bound (When).
	KindThreshold Kind = "threshold"
	// KindSequence raises an alert when its Steps match in order, per group of By, all
	// within Within, unless Until matches first.
	KindSequence Kind = "sequence"
	// KindAbsence raises an alert when a group of By that was seen (or is Expected) has no
	// event matching Where for For.
	KindAbsence Kind = "absence"
)

// Severity ranks alerts.
type Severity string

// Severities, lowest first.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

var severities = []Severity{SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// TimeBase is the clock of a rule's windows.
type TimeBase string

// Time bases.
const (
	// TimeEvent orders events by their @timestamp; the rule's clock is a watermark that
	// trails the newest event seen by Lateness.
	TimeEvent TimeBase = "event"
	// TimeArrival uses the time the engine receives each event.
	TimeArrival TimeBase = "arrival"
)

// Defaults of a rule.
const (
	DefaultLateness = time.Minute
	DefaultSeverity = SeverityMedium
	DefaultTimeBase = TimeEvent
)

// Rule is a tenant's alert rule as written. The zero value of optional fields takes the
// defaults above; Compile checks it whole. Durations are written as Go durations ("90s",
// "5m") or in days ("7d").
type Rule struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Severity    Severity          `json:"severity,omitempty"`
	Enabled     *bool             `json:"enabled,omitempty"` // nil: enabled
	Labels      map[string]string `json:"labels,omitempty"`
	Kind        Kind              `json:"kind"`

	// Where selects the events of a match, threshold or absence rule.
	Where string `json:"where,omitempty"`
	// By are the fields whose values group events: a threshold, a sequence and an absence
	// are evaluated per group.
	By []string `json:"by,omitempty"`

	// Threshold: When compares the aggregate over each Window, tumbling, or sliding by
	// Slide when it is set and shorter than Window.
	Window string `json:"window,omitempty"`
	Slide  string `json:"slide,omitempty"`
	When   string `json:"when,omitempty"`

	// Sequence.
	Steps  []Step `json:"steps,omitempty"`
	Within string `json:"within,omitempty"`
	Until  string `json:"until,omitempty"`

	// Absence: For is the silence that raises the alert; Expected are groups (values of
	// By, in order) watched from the start, before any event of theirs is seen.
	For      string     `json:"for,omitempty"`
	Expected [][]string `json:"expected,omitempty"`

	Suppress *Suppress `json:"suppress,omitempty"`
	Time     TimeBase  `json:"time,omitempty"`
	Lateness string    `json:"lateness,omitempty"`
}

// Step is one step of a sequence: Times events (at least; 1 when zero) matching Where, of
// Distinct values of a field when it is set, whose fields in Equal hold the value the event
// of an earlier step (numbered from 1) held in the same field.
type Step struct {
	Where    string         `json:"where"`
	Times    int            `json:"times,omitempty"`
	Distinct string         `json:"distinct,omitempty"`
	Equal    map[string]int `json:"equal,omitempty"`
}

// Suppress makes one alert per key (the values of By; the rule's group when empty) per
// For: later matches add to its count and last time instead of raising another.
type Suppress struct {
	By  []string `json:"by,omitempty"`
	For string   `json:"for"`
}

// IsEnabled reports whether the rule runs.
func (r *Rule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// SeverityRank orders severities, info 0 to critical 4, and -1 for an unknown one.
func SeverityRank(s Severity) int {
	for i, v := range severities {
		if v == s {
			return i
		}
	}
	return -1
}
