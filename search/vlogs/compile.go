package vlogs

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trolly-logs/trolly/search/query"
)

// compile turns a query into a LogsQL filter over the fields of fields.go; nil is "*". It
// never names the tenant: that is the query context's.
func compile(n query.Node) (string, error) {
	if n == nil {
		return "*", nil
	}
	var b strings.Builder
	if err := compileNode(&b, n); err != nil {
		return "", err
	}
	return b.String(), nil
}

func compileNode(b *strings.Builder, n query.Node) error {
	switch n := n.(type) {
	case query.Term:
		return compileTerm(b, n)
	case *query.Term:
		if n != nil {
			return compileTerm(b, *n)
		}
	case query.Not:
		return compileNot(b, n.Node)
	case *query.Not:
		if n != nil {
			return compileNot(b, n.Node)
		}
	case query.And:
		return compileJoin(b, n.Nodes, " AND ")
	case *query.And:
		if n != nil {
			return compileJoin(b, n.Nodes, " AND ")
		}
	case query.Or:
		return compileJoin(b, n.Nodes, " OR ")
	case *query.Or:
		if n != nil {
			return compileJoin(b, n.Nodes, " OR ")
		}
	}
	return fmt.Errorf("query node %T: not supported", n)
}

func compileNot(b *strings.Builder, n query.Node) error {
	b.WriteString("!(")
	if err := compileNode(b, n); err != nil {
		return err
	}
	b.WriteByte(')')
	return nil
}

func compileJoin(b *strings.Builder, nodes []query.Node, op string) error {
	if len(nodes) == 0 {
		return fmt.Errorf("query: an empty%s", strings.TrimSuffix(op, " "))
	}
	b.WriteByte('(')
	for i, n := range nodes {
		if i > 0 {
			b.WriteString(op)
		}
		if err := compileNode(b, n); err != nil {
			return err
		}
	}
	b.WriteByte(')')
	return nil
}

// noMatch is a filter that matches no stored event: no document has that field.
const noMatch = `"b.never":="1"`

func compileTerm(b *strings.Builder, t query.Term) error {
	if t.Field != "" && t.Field != "message" {
		compileValue(b, t)
		return nil
	}
	if !hasWord(t.Value) {
		b.WriteString(noMatch) // a text search without words finds nothing
		return nil
	}
	text := anyCase(t)
	if t.Field == "message" {
		b.WriteString(msgField + ":" + text)
		return nil
	}
	b.WriteString("(" + msgField + ":" + text + " OR " + content + "*:" + text + ")")
	return nil
}

// anyCase is the case-insensitive word, phrase or prefix filter of t's value.
func anyCase(t query.Term) string {
	q := strconv.Quote(t.Value)
	if t.Prefix {
		return "i(" + q + "*)"
	}
	return "i(" + q + ")"
}

// compileValue compares whole values of a field: a string exactly, any element of an
// array, a prefix of a string.
func compileValue(b *strings.Builder, t query.Term) {
	col := strconv.Quote(column(t.Field))
	v := strconv.Quote(t.Value)
	if t.Prefix {
		b.WriteString(col + ":=" + v + "*")
		return
	}
	b.WriteString("(" + col + ":=" + v + " OR " + col + ":json_array_contains_any(" + v + "))")
}

// hasWord reports whether s holds a character the engine's tokenizer keeps in a word.
func hasWord(s string) bool {
	for _, r := range s {
		if isTokenRune(r) {
			return true
		}
	}
	return false
}

// isTokenRune is the engine's word character: a letter, a digit or '_'.
func isTokenRune(r rune) bool {
	return r == '_' || r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
