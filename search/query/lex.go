package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) atSpace() bool {
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return unicode.IsSpace(r)
}

func (p *parser) skipSpace() {
	for !p.eof() && p.atSpace() {
		_, size := utf8.DecodeRuneInString(p.src[p.pos:])
		p.pos += size
	}
}

// wordEnd returns where the bare word starting at from ends: at a space, a quote, a
// parenthesis or the end.
func (p *parser) wordEnd(from int) int {
	i := from
	for i < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[i:])
		if unicode.IsSpace(r) || r == '"' || r == '(' || r == ')' {
			break
		}
		i += size
	}
	return i
}

// keyword consumes the next word if it is one of words and stands alone.
func (p *parser) keyword(words ...string) bool {
	end := p.wordEnd(p.pos)
	if end < len(p.src) && (p.src[end] == '"' || p.src[end] == ')') {
		return false
	}
	for _, w := range words {
		if p.src[p.pos:end] == w {
			p.pos = end
			return true
		}
	}
	return false
}

// bareWord consumes an unquoted word. A word may run into a quote or a parenthesis only
// when it ends with the colon of a field.
func (p *parser) bareWord() (string, error) {
	start := p.pos
	p.pos = p.wordEnd(start)
	w := p.src[start:p.pos]
	if p.eof() || p.atSpace() || strings.HasSuffix(w, ":") {
		return w, nil
	}
	if p.src[p.pos] == '"' {
		return "", p.fail(p.pos, "unexpected '\"' inside a word; quote the whole value")
	}
	return w, nil // a parenthesis ends it
}

// phrase consumes a quoted string starting at the opening quote.
func (p *parser) phrase(field string) (Node, error) {
	start := p.pos
	var b strings.Builder
	i := start + 1
	for {
		if i >= len(p.src) {
			return nil, p.fail(start, "unterminated quote")
		}
		c := p.src[i]
		if c == '"' {
			break
		}
		if c == '\\' && i+1 < len(p.src) && (p.src[i+1] == '"' || p.src[i+1] == '\\') {
			i++
			c = p.src[i]
		}
		b.WriteByte(c)
		i++
	}
	p.pos = i + 1
	if !p.eof() && !p.atSpace() {
		if c := p.src[p.pos]; c != '(' && c != ')' { // a parenthesis ends it
			return nil, p.fail(p.pos, "expected a space after the closing quote")
		}
	}
	if b.Len() == 0 && field == "" {
		return nil, p.fail(start, "empty phrase")
	}
	return Term{Field: field, Value: b.String(), Phrase: true}, nil
}

// ValidField reports whether name is a field path: dot-separated segments of ASCII
// letters, digits, '_', '@' and '-', starting with a letter, '_' or '@'. Pipelines check
// the fields they write with it, so that conditions can read them.
func ValidField(name string) bool {
	if name == "" {
		return false
	}
	if c := name[0]; !isLetter(c) && c != '_' && c != '@' {
		return false
	}
	for seg := range strings.SplitSeq(name, ".") {
		if seg == "" {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !isLetter(c) && !('0' <= c && c <= '9') && c != '_' && c != '@' && c != '-' {
				return false
			}
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
