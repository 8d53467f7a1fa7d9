package ecs

import (
	"errors"
	"fmt"

	"github.com/trolly-logs/trolly/internal/jsonstr"
)

// MaxDepth bounds the nesting of objects and arrays in merged JSON, so hostile input cannot
// exhaust the stack.
const MaxDepth = 64

var (
	// ErrNotObject is returned by MergeJSON for valid JSON that is not an object.
	ErrNotObject = errors.New("not a JSON object")
	// ErrSyntax is returned by MergeJSON for input that is not JSON.
	ErrSyntax = errors.New("invalid JSON")
	// ErrTooDeep is returned by MergeJSON for JSON nested deeper than MaxDepth; it wraps
	// ErrSyntax.
	ErrTooDeep = fmt.Errorf("%w: nested deeper than %d", ErrSyntax, MaxDepth)
)

// maxNames bounds a Document's interned paths; hostile input with ever new keys only makes
// the table start over.
const maxNames = 4096

// intern returns path as a string, allocating only the first time the Document meets it:
// records of one stream repeat their keys.
func (d *Document) intern(path []byte) string {
	if s, ok := d.names[string(path)]; ok {
		return s
	}
	if d.names == nil || len(d.names) >= maxNames {
		d.names = make(map[string]string)
	}
	s := string(path)
	d.names[s] = s
	return s
}

// jsonParser reads user JSON into Documents. Values are checked against RFC 8259 and kept
// as slices of the input where they need no rewriting.
type jsonParser struct {
	data []byte
	pos  int
	tmp  []byte
	// kids hold the objects found inside arrays, one per depth.
	kids []*Document
}

// MergeJSON sets every value of the JSON object data on d, at the path its keys name: nested
// objects and dotted keys are the same thing. Arrays are kept whole (objects inside them get
// the same treatment). data is not copied. On error d may hold part of the object; use Mark
// and Rollback to discard it.
func (d *Document) MergeJSON(data []byte) error {
	p := &d.json
	p.data, p.pos = data, 0
	defer func() { p.data = nil }()
	p.skipSpace()
	if p.pos == len(data) {
		return fmt.Errorf("%w: empty input", ErrSyntax)
	}
	if data[p.pos] != '{' {
		if err := p.skipValue(); err != nil {
			return err
		}
		return ErrNotObject
	}
	if err := p.object(d, nil, 1); err != nil {
		return err
	}
	p.skipSpace()
	if p.pos != len(data) {
		return p.syntaxError("after the object")
	}
	return nil
}

func (p *jsonParser) syntaxError(what string) error {
	if p.pos >= len(p.data) {
		return fmt.Errorf("%w: unexpected end of input", ErrSyntax)
	}
	return fmt.Errorf("%w: unexpected %q at offset %d %s", ErrSyntax, p.data[p.pos], p.pos, what)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// eat consumes c after optional white space.
func (p *jsonParser) eat(c byte) bool {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// object reads the object at p.pos into d under prefix.
func (p *jsonParser) object(d *Document, prefix []byte, depth int) error {
	if depth > MaxDepth {
		return ErrTooDeep
	}
	p.pos++ // '{'
	if p.eat('}') {
		if len(prefix) > 0 {
			d.add(field{path: string(prefix), kind: kindEmptyObject})
		}
		return nil
	}
	for {
		p.skipSpace()
		if p.pos == len(p.data) || p.data[p.pos] != '"' {
			return p.syntaxError("where a key was expected")
		}
		raw, escaped, err := p.scanString()
		if err != nil {
			return err
		}
		key := raw
		if escaped {
			p.tmp = jsonstr.AppendUnescaped(p.tmp[:0], raw)
			key = p.tmp
		}
		// The key's path lives in the arena: prefix is a slice of it, and it is not
		// rewritten before Reset.
		start := len(d.arena)
		d.arena = appendPath(d.arena, prefix, key)
		path := d.arena[start:len(d.arena):len(d.arena)]
		if !p.eat(':') {
			return p.syntaxError("where ':' was expected")
		}
		if err := p.member(d, path, depth); err != nil {
			return err
		}
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return nil
		}
		return p.syntaxError("where ',' or '}' was expected")
	}
}

// member reads the value of the key at path.
func (p *jsonParser) member(d *Document, path []byte, depth int) error {
	p.skipSpace()
	if p.pos == len(p.data) {
		return p.syntaxError("")
	}
	switch p.data[p.pos] {
	case '{':
		return p.object(d, path, depth+1)
	case '"':
		raw, escaped, err := p.scanString()
		if err != nil {
			return err
		}
		if escaped {
			raw = d.Append(func(dst []byte) []byte { return jsonstr.AppendUnescaped(dst, raw) })
		}
		d.add(field{path: d.intern(path), b: raw, kind: kindString})
		return nil
	case '[':
		start := len(d.arena)
		arr, err := p.array(d.arena, depth+1)
		d.arena = arr
		if err != nil {
			return err
		}
		d.add(field{path: d.intern(path), b: d.arena[start:len(d.arena):len(d.arena)], kind: kindRaw})
		return nil
	}
	start := p.pos
	if err := p.scalar(); err != nil {
		return err
	}
	d.add(field{path: d.intern(path), b: p.data[start:p.pos:p.pos], kind: kindRaw})
	return nil
}
