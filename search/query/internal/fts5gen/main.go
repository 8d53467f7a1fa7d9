// Command fts5gen writes match_tables.go of package query: which code points SQLite's FTS5
// unicode61 tokenizer (with remove_diacritics 2, as the embedded search index uses it)
// starts or continues words with, and what it folds each to. It asks the SQLite the module links, so the
// in-memory matcher splits and folds words exactly as the index does.
//
// Run it from search/query: go run ./internal/fts5gen
package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
	"unicode/utf8"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// tokenizer must equal the one of the fts table in search/sqlite/schema.go.
const tokenizer = "unicode61 remove_diacritics 2"

const out = "match_tables.go"

func main() {
	log.SetFlags(0)
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	db.SetMaxOpenConns(1)
	words, err := tokenize(db)
	if err != nil {
		log.Fatal(err)
	}
	src, err := generate(words)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// probe is the text indexed for a code point: at the start of a word, and inside one.
func probe(r rune, inside bool) string {
	if inside {
		return "a" + string(r) + "b"
	}
	return " " + string(r) + "b"
}

// tokenize indexes both probes of every code point r (rows 2r and 2r+1) and returns the
// words FTS5 made of each, by row.
func tokenize(db *sql.DB) (map[int64][]string, error) {
	for _, q := range []string{
		`CREATE VIRTUAL TABLE fts USING fts5 (message, content = '', tokenize = '` + tokenizer + `')`,
		`CREATE VIRTUAL TABLE vocab USING fts5vocab(fts, 'instance')`,
	} {
		if _, err := db.Exec(q); err != nil {
			return nil, fmt.Errorf("create tables: %w", err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	insert, err := tx.Prepare(`INSERT INTO fts (rowid, message) VALUES (?, ?)`)
	if err != nil {
		return nil, err
	}
	for r := rune(1); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		for i, inside := range []bool{false, true} {
			if _, err := insert.Exec(2*int64(r)+int64(i), probe(r, inside)); err != nil {
				return nil, fmt.Errorf("index %U: %w", r, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	rows, err := db.Query(`SELECT doc, term FROM vocab ORDER BY doc, offset`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	words := map[int64][]string{}
	for rows.Next() {
		var row int64
		var w string
		if err := rows.Scan(&row, &w); err != nil {
			return nil, err
		}
		words[row] = append(words[row], w)
	}
	return words, rows.Err()
}

type fold struct{ from, to rune }

// class is what the tokenizer does with a code point.
type class struct {
	starts    bool // it starts a word (and continues one)
	continues bool // it continues a word
	fold      rune // what it becomes in a word; 0 for nothing
}

// classOf reads the class of r from the words of its probes.
func classOf(r rune, words map[int64][]string) (class, error) {
	at, in := words[2*int64(r)], words[2*int64(r)+1]
	var c class
	switch {
	case len(in) == 1:
		c.continues = true
		inner, prefixed := strings.CutPrefix(in[0], "a")
		inner, suffixed := strings.CutSuffix(inner, "b")
		if !prefixed || !suffixed || utf8.RuneCountInString(inner) > 1 {
			return c, fmt.Errorf("%U: folds to %q", r, in[0])
		}
		if inner != "" {
			c.fold, _ = utf8.DecodeRuneInString(inner)
		}
	case len(in) != 2 || in[0] != "a" || in[1] != "b":
		return c, fmt.Errorf("%U: unexpected words %q inside a word", r, in)
	}
	switch {
	case len(at) == 1 && at[0] == "b":
	case len(at) == 1 && at[0] == string(c.fold)+"b" && c.fold != 0:
		c.starts = true
	default:
		return c, fmt.Errorf("%U: unexpected words %q at the start of a word", r, at)
	}
	if !c.starts && c.continues && c.fold != 0 {
		return c, fmt.Errorf("%U: continues words without starting them, and is kept", r)
	}
	return c, nil
}

// classify turns the words into the ranges of the code points that start words, those
// that only continue them (diacritics, which are dropped), and the folds that change a
// code point. It checks what the matcher assumes of ASCII.
func classify(words map[int64][]string) (ranges, diacritics []rune, folds []fold, err error) {
	in := false
	for r := rune(1); r <= utf8.MaxRune+1; r++ {
		if r > utf8.MaxRune || !utf8.ValidRune(r) {
			// Surrogates continue the range around them; past the last code point, a range ends.
			if in && r > utf8.MaxRune {
				ranges = append(ranges, r)
			}
			continue
		}
		c, err := classOf(r, words)
		if err != nil {
			return nil, nil, nil, err
		}
		switch {
		case r < utf8.RuneSelf:
			if err := checkASCII(r, c); err != nil {
				return nil, nil, nil, err
			}
			continue
		case c.continues && !c.starts:
			diacritics = append(diacritics, r)
		case c.starts && c.fold != r:
			folds = append(folds, fold{r, c.fold})
		}
		if c.starts != in {
			ranges = append(ranges, r)
			in = c.starts
		}
	}
	return ranges, diacritics, folds, nil
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

func checkASCII(r rune, c class) error {
	want := r
	if 'A' <= r && r <= 'Z' {
		want = r + 'a' - 'A'
	}
	if c.starts != isAlnum(r) || c.continues != isAlnum(r) || c.starts && c.fold != want {
		return fmt.Errorf("%U: ASCII code point of class %+v", r, c)
	}
	return nil
}

func generate(words map[int64][]string) ([]byte, error) {
	bounds, diacritics, folds, err := classify(words)
	if err != nil {
		return nil, err
	}
	if len(bounds)%2 != 0 {
		return nil, errors.New("a range of word characters has no end")
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./internal/fts5gen; DO NOT EDIT.\n\npackage query\n\n")
	b.WriteString("// wordRanges holds the non-ASCII code points that start or continue a word in FTS5's\n")
	b.WriteString("// unicode61 tokenizer, as half-open ranges [lo, hi), sorted. In ASCII, letters and\n")
	b.WriteString("// digits do.\n")
	b.WriteString("var wordRanges = [...]rune{")
	for i := 0; i < len(bounds); i += 2 {
		if i%12 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "0x%04x, 0x%04x, ", bounds[i], bounds[i+1])
	}
	b.WriteString("\n}\n\n")
	b.WriteString("// diacritics continue a word without starting one, and are dropped from it.\n")
	b.WriteString("var diacritics = [...]rune{")
	for i, r := range diacritics {
		if i%12 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "0x%04x, ", r)
	}
	b.WriteString("\n}\n\n")
	b.WriteString("// foldTable maps, sorted by code point, each non-ASCII word character that the\n")
	b.WriteString("// tokenizer changes to what it becomes (lower case, no diacritics).\n")
	b.WriteString("var foldTable = [...][2]rune{")
	for i, f := range folds {
		if i%6 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "{0x%04x, 0x%04x}, ", f.from, f.to)
	}
	b.WriteString("\n}\n")
	return format.Source(b.Bytes())
}
