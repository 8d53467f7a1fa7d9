package grok

import (
	"errors"
	"slices"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// Pattern is a compiled pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	expr   string
	eng    *engine
	groups []group
}

// group is a capture group of the expanded expression and what it sets.
type group struct {
	index int
	capture
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.expr }

// Expanded returns the regular expression the pattern compiled to, for debugging.
func (p *Pattern) Expanded() string { return p.eng.re.String() }

// Fields returns the paths the pattern may set, in the order of their captures; a path
// captured twice (in two alternatives, say) is listed twice.
func (p *Pattern) Fields() []string {
	paths := make([]string, len(p.groups))
	for i, g := range p.groups {
		paths[i] = g.path
	}
	return paths
}

// Match looks for the pattern anywhere in line (anchor it with ^ and $ to match the whole
// line) and sets each capture that took part in the match and is not empty: @timestamp
// with d.SetTimestamp, message with d.SetMessage, any other path as a field. Strings alias
// line and are the text as written (escapes such as \" stay). Times without a zone are read in loc (nil: UTC); ref, in Unix nanoseconds, is the
// reference for times without a year.
//
// It reports whether the line matched. A line that matched but some of whose captures could
// not be converted to their type also returns an error wrapping ErrConversion (and
// ErrTimestamp for @timestamp) made of *ConversionError: those fields are left out, the
// others are set.
func (p *Pattern) Match(line []byte, d *ecs.Document, loc *time.Location, ref int64) (bool, error) {
	m := p.eng.machine()
	defer p.eng.machines.Put(m)
	if !p.eng.match(line, m) {
		return false, nil
	}
	return true, p.set(line, m.caps, d, loc, ref)
}

func (p *Pattern) set(line []byte, m []int, d *ecs.Document, loc *time.Location, ref int64) error {
	if loc == nil {
		loc = time.UTC
	}
	var errs []error
	for i := range p.groups {
		g := &p.groups[i]
		lo, hi := m[2*g.index], m[2*g.index+1]
		if lo >= hi { // did not take part (-1), or empty
			continue
		}
		if err := g.set(line[lo:hi], d, loc, ref); err != nil {
			errs = append(errs, err)
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// Set is patterns tried in order; the first that matches wins. It is immutable and safe for
// concurrent use.
type Set struct {
	patterns []*Pattern
}

// Patterns returns the set's patterns, in order.
func (s *Set) Patterns() []*Pattern { return slices.Clone(s.patterns) }

// Match tries each pattern in turn as Pattern.Match does and returns the index of the one
// that matched, or -1 when none did.
func (s *Set) Match(line []byte, d *ecs.Document, loc *time.Location, ref int64) (int, error) {
	for i, p := range s.patterns {
		if ok, err := p.Match(line, d, loc, ref); ok {
			return i, err
		}
	}
	return -1, nil
}
