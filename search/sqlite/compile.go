package sqlite

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/trolly-logs/trolly/search/query"
)

// errBadQuery is wrapped by the errors of compile.
var errBadQuery = errors.New("unsupported query")

// condition is a WHERE condition over the events table aliased e. Its parameters are
// anonymous, args in the order of their placeholders: SQLite resolves every use of a
// numbered one by scanning a list, which long queries pay quadratically.
type condition struct {
	sql  string
	args []any
	// text is set when the whole condition is one FTS5 query, which then counts matches
	// without reading the events.
	text string
	// docs is set when the condition reads the documents, joined as d.
	docs bool
}

// compile turns a query into a condition; nil matches every event. User text only ever
// reaches SQLite as a bound parameter, and reaches FTS5 only inside a quoted string.
func compile(n query.Node) (condition, error) {
	c := &compiler{}
	if n == nil {
		return condition{sql: "1"}, nil
	}
	s, err := c.node(n)
	if err != nil {
		return condition{}, err
	}
	cond := condition{sql: s, args: c.args, docs: c.docs}
	switch n := deref(n).(type) {
	case query.Term:
		if isText(n) {
			cond.text = ftsExpr(n)
		}
	case query.And:
		if pos, neg, rest := partition(n.Nodes); len(pos) > 0 && len(rest) == 0 {
			cond.text = textMatch(pos, neg)
		}
	}
	return cond, nil
}

// from is the FROM clause the condition needs.
func (c condition) from() string {
	if c.docs {
		return "events e JOIN docs d ON d.rid = e.rid"
	}
	return "events e"
}

type compiler struct {
	args []any
	docs bool
}

// param binds v and returns its placeholder. Every caller must call it in the order the
// placeholders appear in the text (Go evaluates the calls in an expression left to right).
func (c *compiler) param(v any) string {
	c.args = append(c.args, v)
	return "?"
}

func (c *compiler) node(n query.Node) (string, error) {
	switch n := deref(n).(type) {
	case query.Term:
		if isText(n) {
			return c.match(ftsExpr(n)), nil
		}
		return c.field(n)
	case query.Not:
		s, err := c.node(n.Node)
		if err != nil {
			return "", err
		}
		return "NOT (" + s + ")", nil
	case query.And:
		return c.and(n.Nodes)
	case query.Or:
		if len(n.Nodes) == 0 {
			return "", fmt.Errorf("%w: empty Or", errBadQuery)
		}
		parts := make([]string, len(n.Nodes))
		for i, child := range n.Nodes {
			s, err := c.node(child)
			if err != nil {
				return "", err
			}
			parts[i] = "(" + s + ")"
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	}
	return "", fmt.Errorf("%w: node %T", errBadQuery, n)
}

// and evaluates every full-text child with one FTS5 query, which is much cheaper than
// one subquery per word.
func (c *compiler) and(nodes []query.Node) (string, error) {
	if len(nodes) == 0 {
		return "", fmt.Errorf("%w: empty And", errBadQuery)
	}
	pos, neg, rest := partition(nodes)
	var parts []string
	switch {
	case len(pos) > 0:
		parts = append(parts, c.match(textMatch(pos, neg)))
	case len(neg) > 0:
		parts = append(parts, "NOT ("+c.match("("+strings.Join(neg, ") OR (")+")")+")")
	}
	for _, n := range rest {
		s, err := c.node(n)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return joinAnd(parts), nil
}

// partition splits the children of an And into the FTS5 expressions of its text terms,
// those of its negated text terms, and the rest.
func partition(nodes []query.Node) (pos, neg []string, rest []query.Node) {
	for _, n := range nodes {
		if t, ok := deref(n).(query.Term); ok && isText(t) {
			pos = append(pos, ftsExpr(t))
			continue
		}
		if not, ok := deref(n).(query.Not); ok {
			if t, ok := deref(not.Node).(query.Term); ok && isText(t) {
				neg = append(neg, ftsExpr(t))
				continue
			}
		}
		rest = append(rest, n)
	}
	return pos, neg, rest
}

// textMatch is one FTS5 query for every positive expression and none of the negative.
func textMatch(pos, neg []string) string {
	s := "(" + strings.Join(pos, ") AND (") + ")"
	if len(neg) > 0 {
		s += " NOT ((" + strings.Join(neg, ") OR (") + "))"
	}
	return s
}

// joinAnd nests the conjunction as a balanced tree: SQLite limits expression depth.
func joinAnd(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	mid := len(parts) / 2
	return "(" + joinAnd(parts[:mid]) + ") AND (" + joinAnd(parts[mid:]) + ")"
}

func (c *compiler) match(expr string) string {
	return "e.rid IN (SELECT rowid FROM fts WHERE fts MATCH " + c.param(expr) + ")"
}

// isText reports whether t is answered by the full-text index.
func isText(t query.Term) bool { return t.Field == "" || t.Field == "message" }

// ftsExpr quotes t as an FTS5 string, in which only '"' is special (doubled); the
// tokenizer then splits it, so any value is a phrase of its words. FTS5 reads its query as
// a C string, so a NUL becomes a space, which separates words as well.
var ftsQuoter = strings.NewReplacer(`"`, `""`, "\x00", " ")

func ftsExpr(t query.Term) string {
	s := `"` + ftsQuoter.Replace(t.Value) + `"`
	if t.Prefix {
		s += " *"
	}
	if t.Field == "message" {
		s = "message : " + s
	}
	return s
}

// field compares the JSON value at t.Field; an array matches when one of its elements
// does, an object never. Only arrays pay for json_each.
func (c *compiler) field(t query.Term) (string, error) {
	path, err := jsonPath(t.Field)
	if err != nil {
		return "", err
	}
	c.docs = true
	value := func() string { return "(d.doc ->> " + c.param(path) + ")" }
	element := func() string { return "j.atom" }
	s := "CASE json_type(d.doc, " + c.param(path) + ")"
	s += " WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(d.doc, " + c.param(path) + ") j WHERE CASE j.type" +
		c.compare(t, element) + " ELSE 0 END)"
	return s + c.compare(t, value) + " ELSE 0 END", nil
}

// compare returns the WHEN branches of a CASE on a JSON type that tell whether the value
// atom() reads matches t.
func (c *compiler) compare(t query.Term, atom func() string) string {
	if t.Prefix {
		return " WHEN 'text' THEN " + atom() + " GLOB " + c.param(escapeGlob(t.Value)+"*")
	}
	s := " WHEN 'text' THEN " + atom() + " = " + c.param(t.Value)
	if num, ok := number(t.Value); ok {
		s += " WHEN 'integer' THEN " + atom() + " = " + c.param(num)
		s += " WHEN 'real' THEN " + atom() + " = " + c.param(num)
	}
	switch t.Value {
	case "true", "false":
		s += " WHEN '" + t.Value + "' THEN 1"
	}
	return s
}

// jsonPath quotes every segment of an ECS field path: $."http"."response"."status_code".
func jsonPath(field string) (string, error) {
	var b strings.Builder
	b.WriteString("$")
	for seg := range strings.SplitSeq(field, ".") {
		if seg == "" || strings.ContainsFunc(seg, func(r rune) bool { return r == '"' || r == '\\' || r < ' ' }) {
			return "", fmt.Errorf("%w: field %q", errBadQuery, field)
		}
		b.WriteString(`."`)
		b.WriteString(seg)
		b.WriteString(`"`)
	}
	return b.String(), nil
}

var numeric = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// number returns v as an int64 or a float64 when it is a decimal number.
func number(v string) (any, bool) {
	if !numeric.MatchString(v) {
		return nil, false
	}
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

// escapeGlob makes GLOB's wildcards literal by putting each in a character class.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteByte(c)
			b.WriteByte(']')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// deref lets callers build trees of pointers as well as values.
func deref(n query.Node) query.Node {
	switch n := n.(type) {
	case *query.Term:
		if n != nil {
			return *n
		}
	case *query.Not:
		if n != nil {
			return *n
		}
	case *query.And:
		if n != nil {
			return *n
		}
	case *query.Or:
		if n != nil {
			return *n
		}
	default:
		return n
	}
	return nil
}
