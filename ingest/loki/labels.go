package loki

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseLabels parses a Prometheus label string, {name="value", ...}, as the protobuf form
// carries it. Values are double-quoted with Go escapes (what Prometheus' labels.String
// writes) or back-quoted raw strings (which LogQL also accepts). The labels are returned
// in the order written; names are checked when the stream is added.
func ParseLabels(s string) ([]Label, error) {
	if !utf8.ValidString(s) {
		return nil, errors.New("not valid UTF-8")
	}
	p := labelParser{s: s}
	p.space()
	if !p.eat('{') {
		return nil, p.errorf("expected '{'")
	}
	var labels []Label
	p.space()
	if p.eat('}') {
		return labels, p.end()
	}
	for {
		l, err := p.pair()
		if err != nil {
			return nil, err
		}
		labels = append(labels, l)
		p.space()
		if p.eat('}') {
			return labels, p.end()
		}
		if !p.eat(',') {
			return nil, p.errorf("expected ',' or '}'")
		}
		p.space()
	}
}

type labelParser struct {
	s string
	i int
}

func (p *labelParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *labelParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *labelParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *labelParser) end() error {
	p.space()
	if p.i != len(p.s) {
		return p.errorf("unexpected text after '}'")
	}
	return nil
}

// pair reads name = "value".
func (p *labelParser) pair() (Label, error) {
	start := p.i
	for p.i < len(p.s) && isNameByte(p.s[p.i], p.i > start) {
		p.i++
	}
	name := p.s[start:p.i]
	if name == "" {
		return Label{}, p.errorf("expected a label name")
	}
	p.space()
	if !p.eat('=') {
		return Label{}, p.errorf("expected '=' after label name %q", name)
	}
	p.space()
	value, err := p.value()
	if err != nil {
		return Label{}, err
	}
	return Label{Name: name, Value: value}, nil
}

func (p *labelParser) value() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '"' && p.s[p.i] != '`') {
		return "", p.errorf("expected a quoted label value")
	}
	start, quote := p.i, p.s[p.i]
	p.i++
	for p.i < len(p.s) && p.s[p.i] != quote {
		if quote == '"' && p.s[p.i] == '\\' {
			p.i++
		}
		p.i++
	}
	if p.i >= len(p.s) {
		return "", p.errorf("unterminated label value")
	}
	p.i++
	raw := p.s[start:p.i]
	if quote == '`' {
		return raw[1 : len(raw)-1], nil
	}
	if !strings.ContainsAny(raw, "\\\n") {
		return raw[1 : len(raw)-1], nil
	}
	v, err := strconv.Unquote(raw)
	if err != nil {
		return "", fmt.Errorf("at offset %d: label value %s: %w", start, raw, err)
	}
	if !utf8.ValidString(v) {
		return "", fmt.Errorf("at offset %d: label value %s is not valid UTF-8", start, raw)
	}
	return v, nil
}

func isNameByte(c byte, digitOK bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || digitOK && c >= '0' && c <= '9'
}

// formatLabels writes labels as Loki names a stream in its messages.
func formatLabels(labels []Label) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range labels {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l.Name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(l.Value))
	}
	b.WriteByte('}')
	return b.String()
}
