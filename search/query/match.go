package query

// Fields is an event as Match reads it: the values its JSON document holds.
type Fields interface {
	// AnyValue calls match with each value at the field path until match returns true, and
	// reports whether it did. A value is a string (isString, unescaped), or a number or a
	// boolean as its JSON text; an array gives its elements in order. Objects, nulls and
	// arrays inside arrays are no values. v is valid only during the call.
	AnyValue(path string, match func(v []byte, isString bool) bool) bool
	// AnyText calls match with every string of the event, at any depth, and the path of
	// the field that holds it (an array's path for its elements), until match returns true;
	// it reports whether it did. v is valid only during the call.
	AnyText(match func(path string, v []byte) bool) bool
}

// Match reports whether the event f matches n, as a search with the same query finds it
// in the embedded index (search/sqlite); nil matches every event. It compiles n on every
// call: use Compile to match many events.
//
//   - A word or phrase without a field matches words of the message or of any other
//     string of the event, except @timestamp and event.ingested; "message:" matches words
//     of the message only. Words are split and compared as the index's tokenizer does
//     (case and diacritics ignored, see match_text.go). A phrase must lie within one
//     string: the index, which joins an event's other strings into one text, also finds
//     a phrase that runs from the end of one into the start of the next, which
//     Elasticsearch does not.
//   - field:value compares whole values: strings exactly (case matters), numbers
//     numerically when value is a decimal number, booleans when value is true or false;
//     a prefix matches strings only; an array matches when one element does; objects
//     and nulls never match.
func Match(n Node, f Fields) bool { return Compile(n).Match(f) }

// Matcher is a compiled query. It is safe for concurrent use, and matching allocates
// nothing.
type Matcher struct {
	root matcher
}

// Compile prepares n for matching events in memory; nil matches every event. It accepts
// any tree Parse returns. Nodes it does not know, and nil pointers, match nothing, where a
// search backend would refuse the query.
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
		return compileAnd(n.Nodes)
	case *And:
		if n != nil {
			return compileAnd(n.Nodes)
		}
	case Or:
		return compileOr(n.Nodes)
	case *Or:
		if n != nil {
			return compileOr(n.Nodes)
		}
	}
	return constant(false)
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

func compileOr(nodes []Node) matcher {
	o := make(or, len(nodes))
	for i, n := range nodes {
		o[i] = compile(n)
	}
	return o
}

func compileAnd(nodes []Node) matcher {
	a := make(and, len(nodes))
	for i, n := range nodes {
		a[i] = compile(n)
	}
	return a
}

func compileTerm(t Term) matcher {
	if t.Field != "" && t.Field != "message" {
		return newValueTerm(t)
	}
	words := foldWords(t.Value)
	if len(words) == 0 {
		return constant(false) // the index finds nothing for a phrase without words
	}
	w := &textTerm{wordRun: wordRun{words: words, prefix: t.Prefix}, message: t.Field == "message"}
	w.inValue = w.matchValue
	w.inText = w.matchText
	return w
}

// textTerm matches words in the message, or in every string of the event.
type textTerm struct {
	wordRun
	message bool
	// bound once, so that matching allocates no closure
	inValue func(v []byte, isString bool) bool
	inText  func(path string, v []byte) bool
}

func (t *textTerm) match(f Fields) bool {
	if t.message {
		return f.AnyValue("message", t.inValue)
	}
	return f.AnyText(t.inText)
}

func (t *textTerm) matchValue(v []byte, isString bool) bool { return isString && t.in(v) }

func (t *textTerm) matchText(path string, v []byte) bool {
	// The index keeps the times out of its words: their digits would match most numbers.
	return path != "@timestamp" && path != "event.ingested" && t.in(v)
}
