package rule

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trolly-logs/trolly/internal/days"
	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/tenant"
)

// Bounds of a rule: every one keeps what a tenant's rule makes the engine hold small.
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 4000
	MaxLabels         = 32
	MaxLabelValueLen  = 256
	MaxQueryLen       = 4096
	MaxBy             = 8
	MaxSteps          = 16
	MaxTimes          = 10_000
	MaxExpected       = 1000
	// MaxWindowsPerEvent bounds window/slide: the sliding windows an event counts in.
	MaxWindowsPerEvent = 60
	MaxWindow          = 7 * 24 * time.Hour
	MaxFor             = 30 * 24 * time.Hour
	MaxLateness        = time.Hour
	// MinWindow is the shortest window, slide, sequence, silence or suppression.
	MinWindow = time.Second
)

var labelKey = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,62}$`)

// Compiled is a rule checked whole, with its defaults applied, its predicates parsed and
// its durations read.
type Compiled struct {
	Rule     Rule // as written, with the defaults of Severity, Time and Lateness set
	Where    query.Node
	Window   time.Duration
	Slide    time.Duration // equal to Window for tumbling windows
	When     Condition
	Steps    []CompiledStep
	Within   time.Duration
	Until    query.Node
	For      time.Duration
	Lateness time.Duration
	// SuppressFor is zero without suppression; SuppressBy is the rule's By when the
	// suppression names no fields.
	SuppressFor time.Duration
	SuppressBy  []string
}

// CompiledStep is a step of a sequence.
type CompiledStep struct {
	Where    query.Node
	Times    int
	Distinct string
	// Equal are back-references, sorted by field: the field must hold the value the event
	// of step Step (0-based, earlier) held in it.
	Equal []BackRef
}

// BackRef is a field that must equal what an earlier step's event held in it.
type BackRef struct {
	Field string
	Step  int
}

// Compile checks r and returns its compiled form, or an error naming the first field at
// fault (tenant.FieldOf).
func Compile(r Rule) (*Compiled, error) {
	c := &Compiled{}
	normalize(&r)
	if err := checkCommon(&r); err != nil {
		return nil, err
	}
	if err := checkUnused(&r); err != nil {
		return nil, err
	}
	var err error
	switch r.Kind {
	case KindMatch:
		c.Where, err = predicate("where", r.Where, true)
	case KindThreshold:
		err = c.threshold(&r)
	case KindSequence:
		err = c.sequence(&r)
	case KindAbsence:
		err = c.absence(&r)
	}
	if err != nil {
		return nil, err
	}
	if err := c.timing(&r); err != nil {
		return nil, err
	}
	if err := c.suppress(&r); err != nil {
		return nil, err
	}
	c.Rule = r
	return c, nil
}

// normalize makes empty lists and maps nil, so that a rule reads the same whichever way it
// said it had none.
func normalize(r *Rule) {
	if len(r.Labels) == 0 {
		r.Labels = nil
	}
	if len(r.By) == 0 {
		r.By = nil
	}
	if len(r.Steps) == 0 {
		r.Steps = nil
	}
	for i := range r.Steps {
		if len(r.Steps[i].Equal) == 0 {
			r.Steps[i].Equal = nil
		}
	}
	if len(r.Expected) == 0 {
		r.Expected = nil
	}
	if r.Suppress != nil {
		s := *r.Suppress // the caller's rule keeps its own
		if len(s.By) == 0 {
			s.By = nil
		}
		r.Suppress = &s
	}
}

func checkCommon(r *Rule) error {
	switch {
	case r.Name == "":
		return tenant.Invalid("name", "required")
	case utf8.RuneCountInString(r.Name) > MaxNameLen || !printable(r.Name):
		return tenant.Invalid("name", "at most %d printable characters", MaxNameLen)
	case utf8.RuneCountInString(r.Description) > MaxDescriptionLen || !utf8.ValidString(r.Description):
		return tenant.Invalid("description", "at most %d characters of UTF-8", MaxDescriptionLen)
	}
	if r.Severity == "" {
		r.Severity = DefaultSeverity
	}
	if SeverityRank(r.Severity) < 0 {
		return tenant.Invalid("severity", "%q: want info, low, medium, high or critical", r.Severity)
	}
	if len(r.Labels) > MaxLabels {
		return tenant.Invalid("labels", "at most %d", MaxLabels)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
		if !labelKey.MatchString(k) {
			return tenant.Invalid("labels."+k, "a key is lower-case letters, digits and _ . -, starting with a letter (at most 63)")
		}
		if v := r.Labels[k]; len(v) > MaxLabelValueLen || !utf8.ValidString(v) {
			return tenant.Invalid("labels."+k, "at most %d bytes of UTF-8", MaxLabelValueLen)
		}
	}
	switch r.Kind {
	case KindMatch, KindThreshold, KindSequence, KindAbsence:
	case "":
		return tenant.Invalid("kind", "required: match, threshold, sequence or absence")
	default:
		return tenant.Invalid("kind", "%q: want match, threshold, sequence or absence", r.Kind)
	}
	return fields("by", r.By)
}

// checkUnused refuses the fields of other kinds, which would otherwise be silently ignored.
func checkUnused(r *Rule) error {
	set := map[string]bool{
		"where": r.Where != "", "by": len(r.By) > 0, "window": r.Window != "", "slide": r.Slide != "",
		"when": r.When != "", "steps": len(r.Steps) > 0, "within": r.Within != "", "until": r.Until != "",
		"for": r.For != "", "expected": len(r.Expected) > 0,
	}
	uses := map[Kind][]string{
		KindMatch:     {"where"},
		KindThreshold: {"where", "by", "window", "slide", "when"},
		KindSequence:  {"by", "steps", "within", "until"},
		KindAbsence:   {"where", "by", "for", "expected"},
	}[r.Kind]
	for _, f := range []string{"where", "by", "window", "slide", "when", "steps", "within", "until", "for", "expected"} {
		if set[f] && !slices.Contains(uses, f) {
			hint := ""
			if r.Kind == KindMatch && f == "by" {
				hint = " (suppress.by groups its alerts)"
			}
			return tenant.Invalid(f, "not a field of a %s rule%s", r.Kind, hint)
		}
	}
	return nil
}

func (c *Compiled) threshold(r *Rule) error {
	var err error
	if c.Where, err = predicate("where", r.Where, true); err != nil {
		return err
	}
	if c.Window, err = duration("window", r.Window, true, MaxWindow); err != nil {
		return err
	}
	c.Slide = c.Window
	if r.Slide != "" {
		if c.Slide, err = duration("slide", r.Slide, true, c.Window); err != nil {
			return err
		}
		if c.Window%c.Slide != 0 {
			return tenant.Invalid("slide", "%s does not divide the window of %s", c.Slide, c.Window)
		}
		if c.Window/c.Slide > MaxWindowsPerEvent {
			return tenant.Invalid("slide", "%s: at least window/%d (%s), as an event counts in every window that holds it", c.Slide, MaxWindowsPerEvent, c.Window/MaxWindowsPerEvent)
		}
	}
	if r.When == "" {
		return tenant.Invalid("when", "required, such as count >= 20")
	}
	if c.When, err = ParseCondition(r.When); err != nil {
		return tenant.Invalid("when", "%v", err)
	}
	return nil
}

func (c *Compiled) sequence(r *Rule) error {
	if len(r.Steps) == 0 || len(r.Steps) > MaxSteps {
		return tenant.Invalid("steps", "from 1 to %d steps", MaxSteps)
	}
	for i, st := range r.Steps {
		name := "steps[" + strconv.Itoa(i) + "]"
		where, err := predicate(name+".where", st.Where, true)
		if err != nil {
			return err
		}
		cs := CompiledStep{Where: where, Times: st.Times, Distinct: st.Distinct}
		if cs.Times == 0 {
			cs.Times = 1
		}
		if cs.Times < 1 || cs.Times > MaxTimes {
			return tenant.Invalid(name+".times", "from 1 to %d", MaxTimes)
		}
		if st.Distinct != "" && !query.ValidField(st.Distinct) {
			return tenant.Invalid(name+".distinct", "%q is no field name", st.Distinct)
		}
		for _, f := range slices.Sorted(maps.Keys(st.Equal)) {
			ref := st.Equal[f]
			if !query.ValidField(f) {
				return tenant.Invalid(name+".equal", "%q is no field name", f)
			}
			if ref < 1 || ref > i {
				return tenant.Invalid(name+".equal."+f, "step %d: want an earlier step, from 1 to %d", ref, i)
			}
			cs.Equal = append(cs.Equal, BackRef{Field: f, Step: ref - 1})
		}
		c.Steps = append(c.Steps, cs)
	}
	var err error
	if c.Within, err = duration("within", r.Within, true, MaxWindow); err != nil {
		return err
	}
	c.Until, err = predicate("until", r.Until, false)
	return err
}

func (c *Compiled) absence(r *Rule) error {
	var err error
	if c.Where, err = predicate("where", r.Where, true); err != nil {
		return err
	}
	if c.For, err = duration("for", r.For, true, MaxFor); err != nil {
		return err
	}
	if len(r.Expected) > MaxExpected {
		return tenant.Invalid("expected", "at most %d groups", MaxExpected)
	}
	for i, g := range r.Expected {
		if len(g) != len(r.By) || len(r.By) == 0 {
			return tenant.Invalid("expected["+strconv.Itoa(i)+"]", "a group is a value for each field of by (%d)", len(r.By))
		}
	}
	return nil
}

func (c *Compiled) timing(r *Rule) error {
	if r.Time == "" {
		r.Time = DefaultTimeBase
	}
	switch r.Time {
	case TimeEvent:
		if r.Lateness == "" {
			r.Lateness = DefaultLateness.String()
		}
		var err error
		if c.Lateness, err = duration("lateness", r.Lateness, false, MaxLateness); err != nil {
			return err
		}
	case TimeArrival:
		if r.Lateness != "" {
			return tenant.Invalid("lateness", "only with time: event")
		}
	default:
		return tenant.Invalid("time", "%q: want event or arrival", r.Time)
	}
	return nil
}

func (c *Compiled) suppress(r *Rule) error {
	if r.Suppress == nil {
		return nil
	}
	var err error
	if c.SuppressFor, err = duration("suppress.for", r.Suppress.For, true, MaxFor); err != nil {
		return err
	}
	if err := fields("suppress.by", r.Suppress.By); err != nil {
		return err
	}
	c.SuppressBy = r.Suppress.By
	if len(c.SuppressBy) == 0 {
		c.SuppressBy = r.By
	}
	if r.Kind != KindMatch {
		// A window closes, a silence falls due, with no event to read other fields from.
		for _, f := range c.SuppressBy {
			if !slices.Contains(r.By, f) {
				return tenant.Invalid("suppress.by", "%q is not a field of by: a %s rule suppresses by its groups' fields", f, r.Kind)
			}
		}
	}
	return nil
}

// predicate parses a query of the search language; an empty one is nil, or an error when
// required.
func predicate(field, s string, required bool) (query.Node, error) {
	if s == "" {
		if required {
			return nil, tenant.Invalid(field, "required: a query, such as event.outcome:failure")
		}
		return nil, nil
	}
	if len(s) > MaxQueryLen {
		return nil, tenant.Invalid(field, "at most %d bytes", MaxQueryLen)
	}
	n, err := query.Parse(s)
	if err != nil {
		return nil, tenant.Invalid(field, "%v", err)
	}
	if n == nil {
		return nil, tenant.Invalid(field, "matches every event: name what to match")
	}
	return n, nil
}

// duration reads a duration of at least MinWindow (or zero, when not required) and at
// most limit.
func duration(field, s string, required bool, limit time.Duration) (time.Duration, error) {
	if s == "" {
		if required {
			return 0, tenant.Invalid(field, "required: a duration such as 5m")
		}
		return 0, nil
	}
	d, err := days.ParseDuration(s)
	if err != nil {
		return 0, tenant.Invalid(field, "%v", err)
	}
	lo := MinWindow
	if !required {
		lo = 0
	}
	if d < lo || d > limit {
		return 0, tenant.Invalid(field, "%s: from %s to %s", d, lo, limit)
	}
	if d%time.Second != 0 {
		return 0, tenant.Invalid(field, "%s: a whole number of seconds", d)
	}
	return d, nil
}

func fields(name string, fs []string) error {
	if len(fs) > MaxBy {
		return tenant.Invalid(name, "at most %d fields", MaxBy)
	}
	for i, f := range fs {
		if !query.ValidField(f) {
			return tenant.Invalid(name, "%q is no field name", f)
		}
		if slices.Contains(fs[:i], f) {
			return tenant.Invalid(name, "%q twice", f)
		}
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// String names the rule's kind and name, for logs.
func (c *Compiled) String() string { return fmt.Sprintf("%s rule %q", c.Rule.Kind, c.Rule.Name) }
