package query

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text is matched as the embedded engine matches it (search/vlogs): a word or a phrase is
// found where its text appears in a value, starting and ending at word boundaries; a word
// character is a letter, a decimal digit or '_'. Without the '=' form, both sides are
// compared in lower case (unicode.ToLower of each rune, invalid bytes as U+FFFD).

// IsWordRune reports whether r is a word character.
func IsWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// HasWord reports whether s holds a word character: a text search without one finds
// nothing.
func HasWord(s string) bool {
	for _, r := range s {
		if IsWordRune(r) {
			return true
		}
	}
	return false
}

// textPattern is a word, phrase or prefix compiled for matching.
type textPattern struct {
	text []byte // lowered unless exact
	// exact keeps the case; prefix lets the text end inside a word.
	exact, prefix bool
	// startsWord and endsWord: the text's first or last character is a word character,
	// which must then stand at a word boundary.
	startsWord, endsWord bool
}

func newTextPattern(t Term) textPattern {
	text := t.Value
	if !t.Case {
		text = strings.ToLower(text)
	}
	p := textPattern{text: []byte(text), exact: t.Case, prefix: t.Prefix}
	first, _ := utf8.DecodeRuneInString(text)
	last, _ := utf8.DecodeLastRuneInString(text)
	p.startsWord, p.endsWord = IsWordRune(first), IsWordRune(last)
	return p
}

func (p *textPattern) in(v []byte) bool {
	if len(p.text) > len(v) {
		return false // as the engine does, before it lowers v
	}
	if p.exact || isLowerASCII(v) {
		return p.find(v)
	}
	// Lowered on the stack: matching allocates nothing but for long values.
	var buf [512]byte
	b := buf[:0]
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRune(v[i:])
		b = utf8.AppendRune(b, unicode.ToLower(r))
		i += size
	}
	return p.find(b)
}

func isLowerASCII(v []byte) bool {
	for _, c := range v {
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// find looks for the text in s at word boundaries; a prefix may end inside a word.
func (p *textPattern) find(s []byte) bool {
	for pos := 0; ; pos++ {
		n := bytes.Index(s[pos:], p.text)
		if n < 0 {
			return false
		}
		pos += n
		if p.startsWord && pos > 0 {
			if r, _ := utf8.DecodeLastRune(s[:pos]); r == utf8.RuneError || IsWordRune(r) {
				continue
			}
		}
		if end := pos + len(p.text); !p.prefix && p.endsWord && end < len(s) {
			if r, _ := utf8.DecodeRune(s[end:]); r == utf8.RuneError || IsWordRune(r) {
				continue
			}
		}
		return true
	}
}
