package query

import "regexp"

// Fields is an event as Match reads it: the values its JSON document holds.
type Fields interface {
	// AnyValue calls match with each value at the field path until match returns true, and
	// reports whether it did. A value is a string (isString, unescaped), or a number or a
	// boolean as its JSON text; an array gives its elements in order (inArray). Objects,
	// nulls and arrays inside arrays are no values. v is valid only during the call.
	AnyValue(path string, match func(v []byte, isString, inArray bool) bool) bool
	// AnyText calls match with every string, number and boolean of the event, at any
	// depth, and the path of the field that holds it (an array's path for its elements),
	// until match returns true; it reports whether it did. v is valid only during the call.
	AnyText(match func(path string, v []byte) bool) bool
}

// bookkeeping are the paths Trolly stamps on every event: a field term reads them, a word
// without a field never does, so that the record number in event.id or the digits of a
// time never match it.
var bookkeeping = map[string]bool{
	"@timestamp": true, "event.id": true, "event.ingested": true, "organization.id": true,
	"data_stream.type": true, "data_stream.dataset": true, "data_stream.namespace": true,
	"ecs.version": true,
}

// Bookkeeping reports whether path is one of Trolly's own fields, which words without a
// field do not search.
func Bookkeeping(path string) bool { return bookkeeping[path] }

// Match reports whether the event f matches n, as a search with the same query finds it
// in the embedded engine (search/vlogs); nil matches every event. It compiles n on every
// call: use Compile to match many events.
//
//   - A word or phrase without a field matches the message or any other value of the
//     event (numbers and booleans as their text) but Trolly's bookkeeping; "message:"
//     matches the message only. See match_text.go for how text is compared.
//   - field:value compares whole values as text, exactly; an array matches when one
//     element does. A prefix or a wildcard compares strings and numbers, and of an array
//     its strings.
//   - Ranges compare numbers (a JSON number, or a string that is one) of single values;
//     on @timestamp, times. CIDR blocks compare IP addresses of single values, and of an
//     array its strings for IPv4 blocks.
func Match(n Node, f Fields) bool { return Compile(n).Match(f) }

// Matcher is a compiled query. It is safe for concurrent use, and matching allocates
// nothing but what a wildcard's regular expression does.
type Matcher struct {
	root matcher
}

// Compile prepares n for matching events in memory; nil matches every event. It accepts
// any tree Parse returns. Nodes it does not know, nil pointers and invalid bounds match
// nothing, where a search backend would refuse the query.
func Compile(n Node) *Matcher {
	if n == nil {
		return &Matcher{root: constant(true)}
	}
	return &Matcher{root: compile(n)}
}

// Match reports whether the event f matches the query.
func (m *Matcher) Match(f Fields) bool { return m.root.match(f) }

// matcher is a compiled node.
type matcher interface {
	match(f Fields) bool
}

type constant bool

func (c constant) match(Fields) bool { return bool(c) }

type and []matcher

func (a and) match(f Fields) bool {
	for _, m := range a {
		if !m.match(f) {
			return false
		}
	}
	return true
}

type or []matcher

func (o or) match(f Fields) bool {
	for _, m := range o {
		if m.match(f) {
			return true
		}
	}
	return false
}

type not struct{ m matcher }

func (n not) match(f Fields) bool { return !n.m.match(f) }

func compile(n Node) matcher {
	switch n := n.(type) {
	case Term:
		return compileTerm(n)
	case *Term:
		if n != nil {
			return compileTerm(*n)
		}
	case Not:
		return not{compile(n.Node)}
	case *Not:
		if n != nil {
			return not{compile(n.Node)}
		}
	case And:
		return and(compileAll(n.Nodes))
	case *And:
		if n != nil {
			return and(compileAll(n.Nodes))
		}
	case Or:
		return or(compileAll(n.Nodes))
	case *Or:
		if n != nil {
			return or(compileAll(n.Nodes))
		}
	case Range:
		return newRangeTerm(n)
	case *Range:
		if n != nil {
			return newRangeTerm(*n)
		}
	case Exists:
		return newExists(n.Field)
	case *Exists:
		if n != nil {
			return newExists(n.Field)
		}
	case IPRange:
		return newIPTerm(n)
	case *IPRange:
		if n != nil {
			return newIPTerm(*n)
		}
	}
	return constant(false)
}

func compileAll(nodes []Node) []matcher {
	ms := make([]matcher, len(nodes))
	for i, n := range nodes {
		ms[i] = compile(n)
	}
	return ms
}

func compileTerm(t Term) matcher {
	if t.Field != "" && t.Field != "message" {
		switch {
		case t.Value == "" && t.Prefix:
			return newExists(t.Field)
		case t.Value == "" && !t.Wildcard:
			return not{newExists(t.Field)} // the engine keeps no empty value
		}
		return newValueTerm(t)
	}
	if !HasWord(t.Value) {
		return constant(false) // the engine finds nothing for a text without words
	}
	w := &textTerm{message: t.Field == "message"}
	if t.Wildcard {
		w.re = regexp.MustCompile(WildcardRegexp(t))
	} else {
		w.pattern = newTextPattern(t)
	}
	w.inValue = w.matchValue
	w.inText = w.matchText
	return w
}

// textTerm matches text in the message, or in every value of the event.
type textTerm struct {
	pattern textPattern
	re      *regexp.Regexp // a wildcard's
	message bool
	// bound once, so that matching allocates no closure
	inValue func(v []byte, isString, inArray bool) bool
	inText  func(path string, v []byte) bool
}

func (t *textTerm) match(f Fields) bool {
	if t.message {
		return f.AnyValue("message", t.inValue)
	}
	return f.AnyText(t.inText)
}

func (t *textTerm) in(v []byte) bool {
	if t.re != nil {
		return t.re.Match(v)
	}
	return t.pattern.in(v)
}

func (t *textTerm) matchValue(v []byte, _, _ bool) bool { return t.in(v) }

func (t *textTerm) matchText(path string, v []byte) bool {
	return !bookkeeping[path] && t.in(v)
}
