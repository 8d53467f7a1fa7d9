package cep

import "github.com/trolly-logs/trolly/search/query"

// terms evaluates the rules' predicates over shared terms: the same term (by its text) in
// any number of rules is evaluated once per event, and remembered until the next.
type terms struct {
	byText map[string]int
	leaves []*query.Matcher
	memo   []bool
	stamp  []uint64
	cur    uint64
	whole  bool // compile each predicate as one term (the naive engine)
}

// pred is a compiled predicate; nil matches every event.
type pred interface {
	match(ts *terms, f query.Fields) bool
}

type leaf int

func (l leaf) match(ts *terms, f query.Fields) bool {
	if ts.stamp[l] != ts.cur {
		ts.stamp[l], ts.memo[l] = ts.cur, ts.leaves[l].Match(f)
	}
	return ts.memo[l]
}

type allOf []pred

func (a allOf) match(ts *terms, f query.Fields) bool {
	for _, p := range a {
		if !p.match(ts, f) {
			return false
		}
	}
	return true
}

type anyOf []pred

func (a anyOf) match(ts *terms, f query.Fields) bool {
	for _, p := range a {
		if p.match(ts, f) {
			return true
		}
	}
	return false
}

type notOf struct{ p pred }

func (n notOf) match(ts *terms, f query.Fields) bool { return !n.p.match(ts, f) }

// next starts a new event: what was remembered is forgotten.
func (ts *terms) next() { ts.cur++ }

// compile returns n as a pred over the shared terms.
func (ts *terms) compile(n query.Node) pred {
	if n == nil {
		return nil
	}
	if !ts.whole {
		switch n := n.(type) {
		case query.And:
			return allOf(ts.compileAll(n.Nodes))
		case *query.And:
			if n != nil {
				return allOf(ts.compileAll(n.Nodes))
			}
		case query.Or:
			return anyOf(ts.compileAll(n.Nodes))
		case *query.Or:
			if n != nil {
				return anyOf(ts.compileAll(n.Nodes))
			}
		case query.Not:
			return notOf{ts.compile(n.Node)}
		case *query.Not:
			if n != nil {
				return notOf{ts.compile(n.Node)}
			}
		}
	}
	text := query.Format(n)
	if i, ok := ts.byText[text]; ok {
		return leaf(i)
	}
	if ts.byText == nil {
		ts.byText = map[string]int{}
	}
	ts.byText[text] = len(ts.leaves)
	ts.leaves = append(ts.leaves, query.Compile(n))
	ts.memo = append(ts.memo, false)
	ts.stamp = append(ts.stamp, 0)
	return leaf(len(ts.leaves) - 1)
}

func (ts *terms) compileAll(ns []query.Node) []pred {
	out := make([]pred, len(ns))
	for i, n := range ns {
		out[i] = ts.compile(n)
		if out[i] == nil {
			out[i] = anyOf(nil) // as in search/query, a nil inside matches no event
		}
	}
	return out
}
