package query

import (
	"errors"
	"fmt"
	"net/netip"
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

// clause parses: ('-' | NOT) clause | '(' or ')' | '=' text | term. It starts on a non-space.
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
	case c == '=':
		return p.exactCase("", start)
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
	if i := strings.IndexAny(word, ":<>"); i >= 0 {
		if word[i] == ':' {
			return p.field(word[:i], word[i+1:], start)
		}
		if ValidField(word[:i]) { // "status>=500"; "<html>" stays a word
			return p.compare(word[:i], word[i:], start)
		}
	}
	if ValidField(word) { // "status >= 500"
		end := p.pos
		p.skipSpace()
		if !p.eof() && (p.src[p.pos] == '<' || p.src[p.pos] == '>') {
			off := p.pos
			op, err := p.bareWord()
			if err != nil {
				return nil, err
			}
			if looksLikeComparison(word, op) {
				return p.compare(word, op, off)
			}
		}
		p.pos = end
	}
	return p.value("", word, start)
}

// exactCase parses '=' followed by a word or a phrase that must match with its case.
func (p *parser) exactCase(field string, start int) (Node, error) {
	p.pos++ // '='
	if p.eof() || p.atSpace() {
		return nil, p.fail(start, "'=' must be followed by a word or a phrase, without a space")
	}
	var n Node
	var err error
	switch p.src[p.pos] {
	case '"':
		n, err = p.phrase(field)
	case '(', ')', '=', '-':
		return nil, p.fail(p.pos, "'=' must be followed by a word or a phrase")
	default:
		off := p.pos
		var w string
		if w, err = p.bareWord(); err == nil {
			n, err = p.value(field, w, off)
		}
	}
	if err != nil {
		return nil, err
	}
	t, ok := n.(Term)
	if !ok || t.Field != "" && t.Field != "message" {
		return n, nil // a field's value matches with its case already
	}
	t.Case = true
	return t, nil
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
	valueAt := start + len(name) + 1
	if rest == "" {
		p.skipSpace()
		if p.eof() {
			return nil, p.fail(start, "field %s needs a value after ':'", name)
		}
		valueAt = p.pos
	}
	switch p.src[valueAt] {
	case '"':
		p.pos = valueAt
		return p.phrase(name)
	case '(', ')':
		return nil, p.fail(valueAt, "parentheses cannot hold a field's values yet: write (f:a OR f:b)")
	case '[', '{':
		p.pos = valueAt
		return p.bracketRange(name)
	case '=':
		p.pos = valueAt
		return p.exactCase(name, valueAt)
	case '<', '>':
		p.pos = valueAt
		word, err := p.bareWord()
		if err != nil {
			return nil, err
		}
		return p.compare(name, word, valueAt)
	}
	if rest == "" {
		word, err := p.bareWord()
		if err != nil {
			return nil, err
		}
		rest = word
	}
	if rest == "*" {
		return Exists{Field: name}, nil
	}
	if strings.Contains(rest, "/") {
		if _, err := netip.ParsePrefix(rest); err == nil {
			return IPRange{Field: name, CIDR: rest}, nil
		}
	}
	return p.value(name, rest, valueAt)
}

// value makes the Term of an unquoted value found at off.
func (p *parser) value(field, v string, off int) (Node, error) {
	v = collapseStars(v)
	if strings.Trim(v, "*") == "" {
		if field == "" {
			return nil, p.fail(off, "'*' alone is no word: an empty query matches every event")
		}
		return Exists{Field: field}, nil
	}
	if i := strings.IndexByte(v, '*'); i >= 0 && i < len(v)-1 {
		return Term{Field: field, Value: v, Wildcard: true}, nil
	}
	if prefix := strings.HasSuffix(v, "*"); prefix {
		return Term{Field: field, Value: v[:len(v)-1], Prefix: true}, nil
	}
	return Term{Field: field, Value: v}, nil
}

// looksLikeComparison reports whether the word op after the word field makes "field op":
// an operator alone, or one with a bound after it ("status >=500", not "status <html>").
func looksLikeComparison(field, op string) bool {
	v := strings.TrimLeft(op, "<>=")
	if v == "" {
		return true
	}
	if field == TimeField {
		_, ok := ParseTime(v)
		return ok
	}
	return isDecimal(v)
}

// collapseStars replaces each run of '*' with one.
func collapseStars(v string) string {
	for strings.Contains(v, "**") {
		v = strings.ReplaceAll(v, "**", "*")
	}
	return v
}
