package query

//go:generate go run ./internal/fts5gen

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Words are split and folded as the embedded index's full-text tokenizer does (SQLite FTS5,
// unicode61 with remove_diacritics 2): a word is a run of word characters, compared in
// lower case without diacritics. match_tables.go holds its tables, taken from SQLite.

// isWordRune reports whether r starts a word (and continues one).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	i, found := slices.BinarySearch(wordRanges[:], r)
	if found {
		i++
	}
	return i%2 == 1 // inside a half-open range
}

// isDiacritic reports whether r continues a word without starting one; it is dropped.
func isDiacritic(r rune) bool {
	_, found := slices.BinarySearch(diacritics[:], r)
	return r >= diacritics[0] && found
}

// foldRune returns what the tokenizer makes of r inside a word; 0 means it drops r.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if isDiacritic(r) {
		return 0
	}
	i, found := slices.BinarySearchFunc(foldTable[:], r, func(e [2]rune, r rune) int { return int(e[0] - r) })
	if !found {
		return r
	}
	return foldTable[i][1]
}

// decodeRune decodes the rune at s[i:], invalid bytes as U+FFFD (as the index stores them).
func decodeRune[T ~string | ~[]byte](s T, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	// Converting at most utf8.UTFMax bytes does not allocate.
	return utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
}

// nextWord returns the bounds of the first word of s at or after i; start is len(s) when
// there is none. A word starts with a word character and runs over word characters and
// diacritics.
func nextWord[T ~string | ~[]byte](s T, i int) (start, end int) {
	for i < len(s) {
		r, size := decodeRune(s, i)
		if isWordRune(r) {
			break
		}
		i += size
	}
	start = i
	for i < len(s) {
		r, size := decodeRune(s, i)
		if !isWordRune(r) && (r < utf8.RuneSelf || !isDiacritic(r)) {
			break
		}
		i += size
	}
	return start, i
}

// foldWords returns the folded words of a query value; none means it matches nothing.
func foldWords(v string) []string {
	var words []string
	for i := 0; ; {
		start, end := nextWord(v, i)
		if start == len(v) {
			return words
		}
		var b strings.Builder
		for j := start; j < end; {
			r, size := decodeRune(v, j)
			if f := foldRune(r); f != 0 {
				b.WriteRune(f)
			}
			j += size
		}
		words = append(words, b.String())
		i = end
	}
}

// wordRun is a compiled run of words, matched as FTS5 matches a quoted string.
type wordRun struct {
	words []string // folded, none empty
	// prefix lets the last word match the start of a longer word.
	prefix bool
}

// in reports whether text holds the phrase's words in sequence.
func (p *wordRun) in(text []byte) bool {
	for i := 0; i < len(text); {
		start, end := nextWord(text, i)
		if start == len(text) {
			return false
		}
		i = end
		if !p.wordIs(text[start:end], 0) {
			continue
		}
		if outOfText, ok := p.follows(text, end); ok {
			return true
		} else if outOfText {
			return false // no later start has more words
		}
	}
	return false
}

// follows reports whether words 1.. of the phrase come next in text from i; outOfText
// reports a mismatch because text had too few words.
func (p *wordRun) follows(text []byte, i int) (outOfText, ok bool) {
	for k := 1; k < len(p.words); k++ {
		start, end := nextWord(text, i)
		if start == len(text) {
			return true, false
		}
		if !p.wordIs(text[start:end], k) {
			return false, false
		}
		i = end
	}
	return false, true
}

// wordIs reports whether the word w of a text folds to the phrase's word k, or starts
// with it when k is the prefix word.
func (p *wordRun) wordIs(w []byte, k int) bool {
	want := p.words[k]
	j := 0
	for i := 0; i < len(w); {
		r, size := decodeRune(w, i)
		i += size
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else if r = foldRune(r); r == 0 {
			continue
		}
		if j == len(want) {
			return p.prefix && k == len(p.words)-1
		}
		wr, wsize := decodeRune(want, j)
		if r != wr {
			return false
		}
		j += wsize
	}
	return j == len(want)
}
