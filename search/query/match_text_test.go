package query

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// The tables of match_tables.go still describe the SQLite the module links: a sample of
// code points is tokenized by FTS5 and by nextWord and foldRune. Run go generate after a
// failure that follows an upgrade of modernc.org/sqlite.
func TestWordsAsFTS5(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	db.SetMaxOpenConns(1)
	// The tokenizer of search/sqlite/schema.go.
	_, err = db.Exec(`CREATE VIRTUAL TABLE fts USING fts5 (message, content = '', tokenize = 'unicode61 remove_diacritics 2')`)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE VIRTUAL TABLE vocab USING fts5vocab(fts, 'instance')`)
	require.NoError(t, err)

	var texts []string
	for r := rune(1); r <= utf8.MaxRune; r++ {
		if r < 0x800 || r%97 == 0 || r == 0x10FFFF {
			texts = append(texts, " "+string(r)+"b", "a"+string(r)+"b")
		}
	}
	texts = append(texts, "Ça, c'est l'été: ÉCOLE straße ΣΑΣ İ x\u0301\u0301y \u0301z", "web-01 a_b 3.14 日本語", "\xff\xfeok")
	tx, err := db.Begin()
	require.NoError(t, err)
	insert, err := tx.Prepare(`INSERT INTO fts (rowid, message) VALUES (?, ?)`)
	require.NoError(t, err)
	for i, s := range texts {
		_, err := insert.Exec(i+1, s)
		require.NoError(t, err)
	}
	require.NoError(t, tx.Commit())

	rows, err := db.Query(`SELECT doc, term FROM vocab ORDER BY doc, offset`)
	require.NoError(t, err)
	defer func() { require.NoError(t, rows.Close()) }()
	want := make([][]string, len(texts))
	for rows.Next() {
		var doc int
		var term string
		require.NoError(t, rows.Scan(&doc, &term))
		want[doc-1] = append(want[doc-1], term)
	}
	require.NoError(t, rows.Err())
	for i, s := range texts {
		require.Equal(t, fmt.Sprintf("%q", want[i]), fmt.Sprintf("%q", foldWordsOf(s)), "text %+q", s)
	}
}

// foldWordsOf returns the words of s as FTS5 indexes them.
func foldWordsOf(s string) []string {
	var words []string
	for i := 0; ; {
		start, end := nextWord(s, i)
		if start == len(s) {
			return words
		}
		var b strings.Builder
		for j := start; j < end; {
			r, size := decodeRune(s, j)
			if f := foldRune(r); f != 0 {
				b.WriteRune(f)
			}
			j += size
		}
		words = append(words, b.String())
		i = end
	}
}

func TestPhrase(t *testing.T) {
	tests := []struct {
		text, phrase string
		prefix, want bool
	}{
		{"a b c", "b c", false, true},
		{"a b c", "a c", false, false},
		{"a b", "b c", false, false},
		{"abc abd", "ab", true, true},
		{"abc abd", "ab", false, false},
		{"x abc", "x ab", true, true},
		{"xy abc", "x ab", true, false},
		{"Ünïcödé", "unicode", false, true},
		{"b a b a c", "b a c", false, true},
		{"", "a", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.text+"/"+tt.phrase, func(t *testing.T) {
			p := wordRun{words: foldWords(tt.phrase), prefix: tt.prefix}
			require.Equal(t, tt.want, p.in([]byte(tt.text)))
		})
	}
}
