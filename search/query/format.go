package query

import (
	"net/netip"
	"strings"
	"unicode"
)

// Format prints n in the query syntax; nil prints as the empty query. For every tree that
// Parse returns, Parse(Format(n)) equals n. Trees Parse cannot build print as closely as
// the syntax allows: a nested And in parentheses (the next grammar's syntax), and a value
// that cannot stand unquoted as a quoted one.
func Format(n Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	format(&b, n, true)
	return b.String()
}

func (n And) String() string     { return Format(n) }
func (n Or) String() string      { return Format(n) }
func (n Not) String() string     { return Format(n) }
func (n Term) String() string    { return Format(n) }
func (n Range) String() string   { return Format(n) }
func (n Exists) String() string  { return Format(n) }
func (n IPRange) String() string { return Format(n) }

func format(b *strings.Builder, n Node, top bool) {
	switch n := n.(type) {
	case And:
		formatAnd(b, n.Nodes, top)
	case *And:
		formatAnd(b, n.Nodes, top)
	case Or:
		formatOr(b, n.Nodes, top)
	case *Or:
		formatOr(b, n.Nodes, top)
	case Not:
		b.WriteByte('-')
		format(b, n.Node, false)
	case *Not:
		b.WriteByte('-')
		format(b, n.Node, false)
	case Term:
		formatTerm(b, n)
	case *Term:
		formatTerm(b, *n)
	case Range:
		formatRange(b, n)
	case *Range:
		formatRange(b, *n)
	case Exists:
		b.WriteString(n.Field + ":*")
	case *Exists:
		b.WriteString(n.Field + ":*")
	case IPRange:
		b.WriteString(n.Field + ":" + n.CIDR)
	case *IPRange:
		b.WriteString(n.Field + ":" + n.CIDR)
	}
}

func formatAnd(b *strings.Builder, nodes []Node, top bool) {
	if !top {
		b.WriteByte('(')
	}
	for i, c := range nodes {
		if i == 0 {
			format(b, c, false)
			continue
		}
		var t strings.Builder
		format(&t, c, false)
		if s := t.String(); strings.ContainsAny(s[:min(1, len(s))], "<>") {
			// After a word, "<0" would compare it: "status <0" is a range.
			b.WriteString(" (" + s + ")")
		} else {
			b.WriteString(" " + s)
		}
	}
	if !top {
		b.WriteByte(')')
	}
}

// formatOr prints "a OR b c": AND binds tighter, so an And among the alternatives needs
// no parentheses.
func formatOr(b *strings.Builder, nodes []Node, top bool) {
	if !top {
		b.WriteByte('(')
	}
	for i, c := range nodes {
		if i > 0 {
			b.WriteString(" OR ")
		}
		switch c.(type) {
		case And, *And:
			format(b, c, true)
		default:
			format(b, c, false)
		}
	}
	if !top {
		b.WriteByte(')')
	}
}

func formatTerm(b *strings.Builder, t Term) {
	if t.Field != "" {
		b.WriteString(t.Field)
		b.WriteByte(':')
	}
	if t.Case {
		b.WriteByte('=')
	}
	fits := func(v string, prefix bool) bool {
		if t.Case {
			return literal(v) // after '=', a word is read as it is
		}
		return bare(v, t.Field != "", prefix)
	}
	if t.Wildcard && fits(strings.ReplaceAll(t.Value, "*", "%"), true) {
		b.WriteString(t.Value)
		return
	}
	if !t.Phrase && !t.Wildcard && !fits(t.Value, t.Prefix) && t.Field != "" && t.Field != "message" && literal(t.Value) {
		// A field's value after '=' is read as it is ("A:=<", "A:=::/0*"): no phrase.
		b.WriteByte('=')
		b.WriteString(t.Value)
		if t.Prefix {
			b.WriteByte('*')
		}
		return
	}
	if t.Phrase || t.Wildcard || !fits(t.Value, t.Prefix) {
		quote(b, t.Value)
		return
	}
	b.WriteString(t.Value)
	if t.Prefix {
		b.WriteByte('*')
	}
}

// literal reports whether v reads back as the same word after '='.
func literal(v string) bool {
	return v != "" && !strings.ContainsAny(v, "\"()*") && strings.IndexFunc(v, unicode.IsSpace) < 0 &&
		!strings.ContainsAny(v[:1], "=-")
}

func formatRange(b *strings.Builder, r Range) {
	b.WriteString(r.Field)
	b.WriteString(":")
	b.WriteByte("[{"[boolIndex(r.MinExcl)])
	b.WriteString(orStar(r.Min))
	b.WriteString(" TO ")
	b.WriteString(orStar(r.Max))
	b.WriteByte("]}"[boolIndex(r.MaxExcl)])
}

func orStar(v string) string {
	if v == "" {
		return "*"
	}
	return v
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bare reports whether v reads back as the same unquoted value; a keyword followed by '*'
// (a prefix) reads back as a word. A field's value (or an '=' text) may start with what a
// word may not.
func bare(v string, inField, prefix bool) bool {
	if v == "" || strings.ContainsAny(v, "\"()*") || strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return false
	}
	if inField {
		_, err := netip.ParsePrefix(v)
		return !strings.ContainsAny(v[:1], "[{<>=") && err != nil
	}
	switch v {
	case "AND", "and", "NOT", "not", "OR", "or":
		if !prefix {
			return false
		}
	}
	if strings.ContainsAny(v[:1], "-=") {
		return false
	}
	// As the parser reads a word: the first of ':', '<' and '>' after a field name makes
	// a field term or a comparison.
	i := strings.IndexAny(v, ":<>")
	return i < 0 || v[i] != ':' && !ValidField(v[:i])
}

func quote(b *strings.Builder, v string) {
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
}
