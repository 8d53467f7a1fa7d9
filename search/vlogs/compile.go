package vlogs

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

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
	case query.Range:
		return compileRange(b, n)
	case *query.Range:
		if n != nil {
			return compileRange(b, *n)
		}
	case query.Exists:
		compileExists(b, n.Field)
		return nil
	case *query.Exists:
		if n != nil {
			compileExists(b, n.Field)
			return nil
		}
	case query.IPRange:
		return compileIPRange(b, n)
	case *query.IPRange:
		if n != nil {
			return compileIPRange(b, *n)
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

// compileText applies filter to the fields a text without a field searches, the message
// and the content, never the bookkeeping; or to the message alone.
func compileText(b *strings.Builder, message bool, filter string) {
	if message {
		b.WriteString(msgField + ":" + filter)
		return
	}
	b.WriteString("(" + msgField + ":" + filter + " OR " + content + "*:" + filter + ")")
}

func compileTerm(b *strings.Builder, t query.Term) error {
	if t.Field != "" && t.Field != "message" {
		switch {
		case t.Value == "" && t.Prefix:
			compileExists(b, t.Field)
			return nil
		case t.Value == "" && !t.Wildcard:
			b.WriteString("!")
			compileExists(b, t.Field) // the engine keeps no empty value
			return nil
		}
		compileValue(b, t)
		return nil
	}
	if !query.HasWord(t.Value) {
		b.WriteString(noMatch) // a text search without words finds nothing
		return nil
	}
	q := strconv.Quote(t.Value)
	var filter string
	switch {
	case t.Wildcard:
		filter = "~" + strconv.Quote(query.WildcardRegexp(t))
	case t.Case && t.Prefix:
		filter = q + "*"
	case t.Case:
		filter = q
	case t.Prefix:
		filter = "i(" + q + "*)"
	default:
		filter = "i(" + q + ")"
	}
	if t.Case || t.Wildcard {
		compileText(b, t.Field == "message", filter)
		return nil
	}
	// A word in any case cannot use the engine's bloom filters, which hold words as they
	// are written: each of its words, lowered, is either in the text as it is or among
	// the words lowering made (caseField), which they can skip blocks by.
	var ws []string
	lower := strings.ToLower(t.Value)
	for w := range words(lower) {
		ws = append(ws, w)
	}
	if t.Prefix && len(ws) > 0 && strings.HasSuffix(lower, ws[len(ws)-1]) {
		ws = ws[:len(ws)-1] // the last word may go on
	}
	if len(ws) == 0 {
		compileText(b, t.Field == "message", filter)
		return nil
	}
	b.WriteByte('(')
	for _, w := range slices.Compact(slices.Sorted(slices.Values(ws))) {
		exact := strconv.Quote(w)
		b.WriteByte('(')
		compileText(b, t.Field == "message", exact)
		b.WriteString(" OR " + strconv.Quote(caseField) + ":" + exact + ") AND ")
	}
	compileText(b, t.Field == "message", filter)
	b.WriteByte(')')
	return nil
}

// compileValue compares whole values of a field: a string exactly, any element of an
// array; a prefix or a wildcard, a value or a string element of an array.
func compileValue(b *strings.Builder, t query.Term) {
	col := strconv.Quote(column(t.Field))
	v := strconv.Quote(t.Value)
	switch {
	case t.Wildcard:
		b.WriteString("(" + col + ":~" + strconv.Quote(query.WildcardRegexp(t)) + " OR " +
			col + ":~" + strconv.Quote(arrayString(wildcardJSON(t.Value))) + ")")
	case t.Prefix:
		b.WriteString("(" + col + ":=" + v + "* OR " +
			col + ":~" + strconv.Quote(arrayString(regexp.QuoteMeta(jsonText(t.Value))+`(?:[^"\\]|\\.)*`)) + ")")
	default:
		b.WriteString("(" + col + ":=" + v + " OR " + col + ":json_array_contains_any(" + v + "))")
	}
}

// An array is stored as its JSON text. arrayString is the regular expression of such a
// text holding a string element whose JSON text (without quotes) matches body; it steps
// over the elements before it, so that quotes inside strings are never taken for a start.
func arrayString(body string) string {
	const elem = `\s*(?:"(?:[^"\\]|\\.)*"|[^",\[\]{}]*)\s*,`
	return `^\[(?:` + elem + `)*\s*"` + body + `"`
}

// jsonText is s as it stands inside a JSON string that the encoder wrote.
func jsonText(s string) string {
	q, _ := json.Marshal(s)
	return string(q[1 : len(q)-1])
}

// wildcardJSON is the body of a wildcard over the JSON text of a string element.
func wildcardJSON(v string) string {
	segs := strings.Split(v, "*")
	for i, s := range segs {
		segs[i] = regexp.QuoteMeta(jsonText(s))
	}
	return strings.Join(segs, `(?:[^"\\]|\\.)*`)
}

func compileRange(b *strings.Builder, r query.Range) error {
	if r.Field == query.TimeField {
		from, to, ok := query.TimeBounds(r)
		if !ok {
			return fmt.Errorf("query: %s: bad time bounds", query.Format(r))
		}
		b.WriteString(timeField + ":[" + from.UTC().Format(time.RFC3339Nano) + ", " + to.UTC().Format(time.RFC3339Nano) + ")")
		return nil
	}
	lo, hi, ok := query.Bounds(r)
	if !ok {
		return fmt.Errorf("query: %s: bad bounds", query.Format(r))
	}
	if lo > hi {
		b.WriteString(noMatch)
		return nil
	}
	col := strconv.Quote(column(r.Field))
	b.WriteString("(" + col + ":range[" + bound(lo) + ", " + bound(hi) + "] AND " + col + ":~" + strconv.Quote(query.NumberRegexp) + ")")
	return nil
}

// bound writes a range's bound; the engine reads no infinity, and no value is beyond the
// largest float.
func bound(f float64) string {
	f = max(-math.MaxFloat64, min(f, math.MaxFloat64))
	return strconv.Quote(strconv.FormatFloat(f, 'g', -1, 64))
}

func compileExists(b *strings.Builder, field string) {
	col := column(field)
	q := strconv.Quote(col)
	// an empty array has no value
	b.WriteString("((" + q + ":* AND !" + q + `:="[]") OR ` + col + ".*:*)")
}

func compileIPRange(b *strings.Builder, r query.IPRange) error {
	p, err := netip.ParsePrefix(r.CIDR)
	if err != nil {
		return fmt.Errorf("query: %s: %w", r.CIDR, err)
	}
	p = p.Masked()
	col := strconv.Quote(column(r.Field))
	if !p.Addr().Is4() {
		b.WriteString(col + ":ipv6_range(" + strconv.Quote(p.String()) + ")")
		return nil
	}
	lo, hi := query.PrefixBounds(p)
	b.WriteString("(" + col + ":ipv4_range(" + strconv.Quote(p.String()) + ") OR " +
		col + ":~" + strconv.Quote(arrayString(ipv4Regexp(lo[12:], hi[12:]))) + ")")
	return nil
}

// ipv4Regexp matches the dotted addresses from lo to hi, a CIDR block's, as ParseIPv4
// reads them (leading zeros allowed).
func ipv4Regexp(lo, hi []byte) string {
	var b strings.Builder
	for i := range 4 {
		if i > 0 {
			b.WriteString(`\.`)
		}
		b.WriteString("(?:")
		for n := int(lo[i]); n <= int(hi[i]); n++ {
			if n > int(lo[i]) {
				b.WriteByte('|')
			}
			d := strconv.Itoa(n)
			b.WriteString("0{0," + strconv.Itoa(3-len(d)) + "}" + d)
		}
		b.WriteString(")")
	}
	return b.String()
}
