package cep

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trolly-logs/trolly/alerting/rule"
	"github.com/trolly-logs/trolly/search/query"
)

// The shared index of the rules' predicates, as Esper's filter service has one: a rule
// whose predicate needs one of some field values (an equality term, in every branch of an
// OR or in one part of an AND) is looked up by the values the event holds in those fields,
// one hash lookup for all the rules that name a field; only the rules found, and those
// with no such term, run their whole predicate.

// key is a field's value that a predicate needs.
type key struct{ field, value string }

// index finds the rules an event may match.
type index struct {
	fields  []string                    // the fields rules are keyed by, sorted
	byValue map[string]map[string][]int // field -> value -> rules (positions)
	always  []int                       // rules with no key
	seen    []uint64                    // per rule: the stamp of the last event that found it
	stamp   uint64
	found   []int
	lookup  map[string][]int // byValue[field] while an event's values of field are read
	inValue func(v []byte, isString, inArray bool) bool
}

func newIndex(rules []*ruleState, naive bool) *index {
	ix := &index{byValue: map[string]map[string][]int{}, seen: make([]uint64, len(rules))}
	ix.inValue = ix.add
	// How many predicates name each key: a rule is keyed by its rarest, so that an event
	// finds few rules to check.
	freq := map[key]int{}
	for _, rs := range rules {
		for _, n := range predicates(rs.Compiled) {
			countKeys(n, freq)
		}
	}
	for i, rs := range rules {
		keys, ok := ruleKeys(rs.Compiled, freq)
		if !ok || naive {
			ix.always = append(ix.always, i)
			continue
		}
		for _, k := range keys {
			m := ix.byValue[k.field]
			if m == nil {
				m = map[string][]int{}
				ix.byValue[k.field] = m
				ix.fields = append(ix.fields, k.field)
			}
			if vs := m[k.value]; len(vs) == 0 || vs[len(vs)-1] != i {
				m[k.value] = append(vs, i)
			}
		}
	}
	slices.Sort(ix.fields)
	return ix
}

// candidates returns, in order, the positions of the rules f may match; valid until the
// next call.
func (ix *index) candidates(f query.Fields) []int {
	ix.stamp++
	ix.found = append(ix.found[:0], ix.always...)
	keyed := len(ix.found)
	for _, field := range ix.fields {
		ix.lookup = ix.byValue[field]
		f.AnyValue(field, ix.inValue)
	}
	if len(ix.found) > keyed {
		slices.Sort(ix.found) // the rules' order, whichever way they were found
	}
	return ix.found
}

func (ix *index) add(v []byte, _, _ bool) bool {
	for _, i := range ix.lookup[string(v)] {
		if ix.seen[i] != ix.stamp {
			ix.seen[i] = ix.stamp
			ix.found = append(ix.found, i)
		}
	}
	return false // every value of the field
}

// predicates are the predicates of a rule, of which an event must match one to matter.
func predicates(c *rule.Compiled) []query.Node {
	if c.Rule.Kind != rule.KindSequence {
		return []query.Node{c.Where}
	}
	var out []query.Node
	if c.Until != nil {
		out = append(out, c.Until)
	}
	for _, st := range c.Steps {
		out = append(out, st.Where)
	}
	return out
}

// ruleKeys returns the keys of which an event needs one to matter to the rule, or false
// when any event may.
func ruleKeys(c *rule.Compiled, freq map[key]int) ([]key, bool) {
	var keys []key
	for _, n := range predicates(c) {
		ks, ok := keysOf(n, freq)
		if !ok {
			return nil, false
		}
		keys = append(keys, ks...)
	}
	return keys, true
}

// termKey returns the key of an equality term.
func termKey(n query.Node) (key, bool) {
	var t query.Term
	switch n := n.(type) {
	case *query.Term:
		if n == nil {
			return key{}, false
		}
		t = *n
	case query.Term:
		t = n
	default:
		return key{}, false
	}
	if t.Field != "" && t.Field != "message" && t.Value != "" && !t.Prefix && !t.Wildcard &&
		!strings.ContainsRune(t.Value, utf8.RuneError) {
		return key{t.Field, t.Value}, true
	}
	return key{}, false
}

// countKeys adds one to freq for each equality term of n.
func countKeys(n query.Node, freq map[key]int) {
	if k, ok := termKey(n); ok {
		freq[k]++
		return
	}
	for _, c := range children(n) {
		countKeys(c, freq)
	}
}

func children(n query.Node) []query.Node {
	switch n := n.(type) {
	case query.And:
		return n.Nodes
	case *query.And:
		if n != nil {
			return n.Nodes
		}
	case query.Or:
		return n.Nodes
	case *query.Or:
		if n != nil {
			return n.Nodes
		}
	}
	return nil
}

// keysOf returns keys of which a match of n needs one, the rarest it can, or false when
// there are none.
func keysOf(n query.Node, freq map[key]int) ([]key, bool) {
	if k, ok := termKey(n); ok {
		return []key{k}, true
	}
	cost := func(ks []key) int {
		c := 0
		for _, k := range ks {
			c += freq[k]
		}
		return c
	}
	switch n.(type) {
	case query.And, *query.And:
		var best []key
		for _, c := range children(n) {
			if ks, ok := keysOf(c, freq); ok && (best == nil || cost(ks) < cost(best)) {
				best = ks
			}
		}
		return best, best != nil
	case query.Or, *query.Or:
		var all []key
		for _, c := range children(n) {
			ks, ok := keysOf(c, freq)
			if !ok {
				return nil, false
			}
			all = append(all, ks...)
		}
		return all, len(all) > 0
	}
	return nil, false
}
