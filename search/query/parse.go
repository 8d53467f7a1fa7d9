package query

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits keep a hostile query from building a tree that backends cannot evaluate
// cheaply: compiling a query to SQL grows faster than linearly with its terms.
const (
	// MaxTerms is the most terms one query may hold.
	MaxTerms = 128
	// MaxNegations is the most negations that may be stacked on one term.
	MaxNegations = 32
	// MaxDepth is the deepest parentheses may nest.
	MaxDepth = 32
)

// ErrSyntax is wrapped by every error of Parse.
var ErrSyntax = errors.New("query syntax error")

// SyntaxError says what is wrong with a query and where.
type SyntaxError struct {
	// Offset is the byte offset in the query where the problem starts.
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("query: at offset %d: %s", e.Offset, e.Msg)
}

// Unwrap lets callers test errors.Is(err, ErrSyntax).
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Parse parses a query. An empty or blank query returns nil, which matches every event.
// A query of one term returns that Term (or Not); terms side by side, or joined by AND,
// return an And; OR joins Ands (AND binds tighter), into an Or; parentheses group.
// Errors are *SyntaxError.
func Parse(s string) (Node, error) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return nil, &SyntaxError{Offset: i, Msg: "invalid UTF-8"}
			}
		}
	}
	p := &parser{src: s}
	return p.query()
}

type parser struct {
	src   string
	pos   int
	terms int
}

func (p *parser) fail(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// query parses a whole query: or, to the end.
func (p *parser) query() (Node, error) {
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if !p.eof() { // a ')' without its '('
		return nil, p.fail(p.pos, "')' without a '(' before it")
	}
	return n, nil
}

// or parses: and (OR and)*. It stops at the end or at a ')', which it leaves.
func (p *parser) or(depth int) (Node, error) {
	var nodes []Node
	lastOR := 0
	for {
		n, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		off := p.pos
		if !p.eof() && p.keyword("OR", "or") {
			if n == nil {
				return nil, p.fail(off, "OR needs a term on its left")
			}
			nodes = append(nodes, n)
			lastOR = off
			continue
		}
		if n == nil {
			if len(nodes) > 0 {
				return nil, p.fail(lastOR, "OR needs a term on its right")
			}
			return nil, nil
		}
		nodes = append(nodes, n)
		break
	}
	if len(nodes) == 1 {
		return nodes[0], nil
	}
	return Or{Nodes: nodes}, nil
}

// and parses: clause ((AND)? clause)*, stopping before OR, a ')' or the end; nil when
// there is no clause.
func (p *parser) and(depth int) (Node, error) {
	var nodes []Node
	for {
		p.skipSpace()
		if p.eof() || p.src[p.pos] == ')' {
			break
		}
		off := p.pos
		if p.keyword("OR", "or") {
			p.pos = off
			break
		}
		if p.keyword("AND", "and") {
			if len(nodes) == 0 {
				return nil, p.fail(off, "AND needs a term on its left")
			}
			p.skipSpace()
			if p.eof() || p.src[p.pos] == ')' || p.keyword("OR", "or") {
				return nil, p.fail(off, "AND needs a term on its right")
			}
		}
		p.terms++
		if p.terms > MaxTerms {
			return nil, p.fail(p.pos, "too many terms (at most %d)", MaxTerms)
		}
		n, err := p.clause(0, depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	switch len(nodes) {
	case 0:
		return nil, nil
	case 1:
		return nodes[0], nil
	}
	return And{Nodes: nodes}, nil
}

// group parses: '(' or ')'. It starts on the '('.
func (p *parser) group(depth int) (Node, error) {
	start := p.pos
	if depth >= MaxDepth {
		return nil, p.fail(start, "parentheses nest too deep (at most %d)", MaxDepth)
	}
	p.pos++
	n, err := p.or(depth + 1)
	if err != nil {
		return nil, err
	}
	if p.eof() {
		return nil, p.fail(start, "'(' without a ')' after it")
	}
	if n == nil {
		return nil, p.fail(start, "empty parentheses")
	}
	p.pos++ // ')'
	return n, nil
}

// clause parses: ('-' | NOT) clause | '(' or ')' | term. It starts on a non-space.
func (p *parser) clause(negations, depth int) (Node, error) {
	start := p.pos
	if negations > MaxNegations {
		return nil, p.fail(start, "too many negations (at most %d)", MaxNegations)
	}
	switch c := p.src[p.pos]; {
	case c == '-':
		p.pos++
		if p.eof() || p.atSpace() {
			return nil, p.fail(start, "'-' must be followed by a term, without a space")
		}
		return p.negate(negations, depth)
	case c == '"':
		return p.phrase("")
	case c == '(':
		return p.group(depth)
	case c == ')':
		return nil, p.fail(start, "')' without a '(' before it")
	}
	word, err := p.bareWord()
	if err != nil {
		return nil, err
	}
	switch word {
	case "NOT", "not":
		p.skipSpace()
		if p.eof() || p.src[p.pos] == ')' {
			return nil, p.fail(start, "NOT needs a term on its right")
		}
		return p.negate(negations, depth)
	case "AND", "and":
		return nil, p.fail(start, "AND must stand between two terms")
	case "OR", "or":
		return nil, p.fail(start, "OR must stand between two terms")
	}
	if i := strings.IndexByte(word, ':'); i >= 0 {
		return p.field(word[:i], word[i+1:], start)
	}
	return p.value("", word, start)
}

func (p *parser) negate(negations, depth int) (Node, error) {
	n, err := p.clause(negations+1, depth)
	if err != nil {
		return nil, err
	}
	return Not{Node: n}, nil
}

// field parses the value of "name:rest", rest being what followed the colon in the same
// word; an empty rest means the value comes after optional spaces.
func (p *parser) field(name, rest string, start int) (Node, error) {
	if !ValidField(name) {
		return nil, p.fail(start, "%q is not a field name; quote values that contain ':'", name)
	}
	if rest != "" {
		return p.value(name, rest, start+len(name)+1)
	}
	p.skipSpace()
	if p.eof() {
		return nil, p.fail(start, "field %s needs a value after ':'", name)
	}
	off := p.pos
	switch p.src[p.pos] {
	case '"':
		return p.phrase(name)
	case '(', ')':
		return nil, p.fail(off, "parentheses cannot hold a field's values yet: write (f:a OR f:b)")
	}
	word, err := p.bareWord()
	if err != nil {
		return nil, err
	}
	return p.value(name, word, off)
}

// value makes the Term of an unquoted value found at off.
func (p *parser) value(field, v string, off int) (Node, error) {
	prefix := strings.HasSuffix(v, "*")
	if prefix {
		v = v[:len(v)-1]
		if v == "" {
			return nil, p.fail(off, "a prefix needs at least one character before '*'")
		}
	}
	if i := strings.IndexByte(v, '*'); i >= 0 {
		return nil, p.fail(off+i, "'*' is only supported at the end of a value")
	}
	return Term{Field: field, Value: v, Prefix: prefix}, nil
}
