package ecs

import (
	"strconv"
	"strings"
	"time"
)

// Reading and editing a document under construction, for per-stream pipelines and
// in-memory queries. Reads see the document as AppendJSON would write it: of several
// values at one path only the winner (or, for multi fields, all of them), and no value
// that a collision with an object moves to "<path>._value". Paths are the normalized
// dotted paths the document stores (see NormalizePath).

// AnyValue calls match with each value at path until match returns true, and reports
// whether it did: a string unescaped (isString), a number or a boolean as its JSON text,
// and the elements of an array one by one (inArray). Objects, nulls and arrays inside
// arrays are no values. v is valid only during the call. It makes Document a query.Fields.
func (d *Document) AnyValue(path string, match func(v []byte, isString, inArray bool) bool) bool {
	s := d.slot(path)
	if !d.holdsValue(s) || d.movedAside(path) {
		return d.anyInRawObject(path, match)
	}
	if !s.multi {
		return d.anyIn(&d.fields[s.winner], match)
	}
	for i := range d.fields {
		if f := &d.fields[i]; !f.dropped && f.path == path && d.anyIn(f, match) {
			return true
		}
	}
	return false
}

// AnyText calls match with every string, number and boolean of the document, at any
// depth (strings unescaped, the others as their JSON text), and the path of the field that
// holds it, until match returns true; it reports whether it did. v is valid only during
// the call. It makes Document a query.Fields.
func (d *Document) AnyText(match func(path string, v []byte) bool) bool {
	for i := range d.fields {
		f := &d.fields[i]
		if f.kind == kindEmptyObject || !d.written(i) {
			continue
		}
		if d.anyString(f, match) {
			return true
		}
	}
	return false
}

// Remove removes every field at path or inside it, and returns how many it removed.
// Marks taken before it must not be rolled back to.
func (d *Document) Remove(path string) int {
	return d.removeIf(func(f *field) bool { return f.path == path || isChild(f.path, path) })
}

// Rename moves the fields at from and inside it to to, replacing what to held: the
// fields at to and inside it that do not move are removed. It returns how many fields
// moved; with none, nothing changes. Fields keep their layer. Marks taken before it must
// not be rolled back to.
func (d *Document) Rename(from, to string) int {
	if from == to {
		return 0
	}
	moving := func(f *field) bool { return f.path == from || isChild(f.path, from) }
	n := 0
	for i := range d.fields {
		if moving(&d.fields[i]) {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	d.removeIf(func(f *field) bool { return (f.path == to || isChild(f.path, to)) && !moving(f) })
	for i := range d.fields {
		if f := &d.fields[i]; moving(f) {
			f.path = d.movedPath(f.path, from, to)
		}
	}
	return n
}

// Copy sets to to a copy of what from holds, value or object, replacing what to held, in
// the current layer; values are shared, not copied. It returns how many fields it copied;
// with none, or when one path is inside the other, nothing changes. Marks taken before it
// must not be rolled back to.
func (d *Document) Copy(from, to string) int {
	if from == to || isChild(from, to) || isChild(to, from) {
		return 0
	}
	n := len(d.fields)
	copied := 0
	for i := range n {
		if f := &d.fields[i]; (f.path == from || isChild(f.path, from)) && d.written(i) {
			copied++
		}
	}
	if copied == 0 {
		return 0
	}
	d.Remove(to)
	for i := range len(d.fields) {
		f := d.fields[i]
		if (f.path == from || isChild(f.path, from)) && d.written(i) {
			f.path = d.movedPath(f.path, from, to)
			f.layer, f.dropped = 0, false
			d.add(f)
		}
	}
	return copied
}

// EditStrings offers edit each string at path that the document writes (an array's
// strings one by one). edit appends a replacement to dst and returns it with true, or
// returns false to keep the string. A replaced string stays in its field, which keeps its
// layer. It returns how many strings were replaced.
func (d *Document) EditStrings(path string, edit func(dst, s []byte) ([]byte, bool)) int {
	n := 0
	for i := range d.fields {
		f := &d.fields[i]
		if f.path != path || !d.written(i) {
			continue
		}
		switch {
		case f.kind == kindString || f.kind == kindRaw && f.firstByte() == '"':
			n += d.editString(f, edit)
		case f.kind == kindRaw && f.firstByte() == '[':
			n += d.editArray(f, edit)
		}
	}
	return n
}

// Revert is Rollback for a document encoded since m was taken. Encoding marks the fields
// that lose to others at their path, and those set since m may have been the winners:
// Revert forgets every mark, and the next encoding settles them again.
func (d *Document) Revert(m Mark) {
	d.Rollback(m)
	for i := range d.fields {
		d.fields[i].dropped = false
	}
	d.anyDropped = false
}

// slot is what the fields at one path and inside it add up to.
type slot struct {
	winner int  // the field the encoder keeps at the path, unless multi
	multi  bool // the encoder keeps every field at the path, as an array
	top    int  // highest layer of the fields at the path; -1 for none
	inner  int  // highest layer of the fields inside the path; -1 for none
}

func (d *Document) slot(path string) slot {
	s := slot{winner: -1, top: -1, inner: -1}
	for i := range d.fields {
		f := &d.fields[i]
		switch {
		case f.dropped:
		case f.path == path:
			s.multi = s.multi || f.multi
			if int(f.layer) >= s.top {
				s.top, s.winner = int(f.layer), i
			}
		case isChild(f.path, path):
			s.inner = max(s.inner, int(f.layer))
		}
	}
	return s
}

// holdsValue reports whether the encoder writes a value at the slot's path, rather than
// nothing, an object, or the value moved inside the object ("<path>._value").
func (d *Document) holdsValue(s slot) bool {
	if s.top < 0 || !s.multi && d.fields[s.winner].kind == kindEmptyObject {
		return false
	}
	return s.inner < s.top
}

// movedAside reports whether a value at an ancestor of path wins its collision with the
// object that holds path, which then moves to "<ancestor>_object".
func (d *Document) movedAside(path string) bool {
	for i := range d.fields {
		f := &d.fields[i]
		if !f.dropped && f.kind != kindEmptyObject && isChild(path, f.path) && d.holdsValue(d.slot(f.path)) {
			return true
		}
	}
	return false
}

// written reports whether the encoder writes field i at its path (before collisions with
// objects): it is not dropped, and a multi field shares its path or no later field of its
// layer, nor one of a higher layer, does.
func (d *Document) written(i int) bool {
	f := &d.fields[i]
	if f.dropped {
		return false
	}
	multi, beaten := f.multi, false
	for j := range d.fields {
		if g := &d.fields[j]; j != i && !g.dropped && g.path == f.path {
			multi = multi || g.multi
			beaten = beaten || g.layer > f.layer || g.layer == f.layer && j > i
		}
	}
	return multi || !beaten
}

func (d *Document) removeIf(drop func(f *field) bool) int {
	first := -1
	for i := range d.fields {
		if drop(&d.fields[i]) {
			first = i
			break
		}
	}
	if first < 0 {
		return 0 // the common case: moving fields costs write barriers
	}
	out := d.fields[:first]
	for i := first + 1; i < len(d.fields); i++ {
		if !drop(&d.fields[i]) {
			out = append(out, d.fields[i])
		}
	}
	n := len(d.fields) - len(out)
	clear(d.fields[len(out):]) // the removed fields are past the end
	d.fields = out
	return n
}

// movedPath returns path, which is from or inside it, moved to to.
func (d *Document) movedPath(path, from, to string) string {
	if path == from {
		return to
	}
	start := len(d.arena)
	d.arena = append(append(d.arena, to...), path[len(from):]...)
	s := d.intern(d.arena[start:])
	d.arena = d.arena[:start] // the bytes were scratch: intern keeps a string
	return s
}

// firstByte returns the first byte of a field's bytes, or 0.
func (f *field) firstByte() byte {
	switch {
	case len(f.b) > 0:
		return f.b[0]
	case len(f.s) > 0:
		return f.s[0]
	}
	return 0
}

// bytes returns the field's value bytes, f.s copied to the end of the arena: the caller
// truncates the arena back to start when it no longer needs them.
func (d *Document) bytes(f *field) (v []byte, start int) {
	start = len(d.arena)
	if f.b != nil || f.s == "" {
		return f.b, start
	}
	d.arena = append(d.arena, f.s...)
	return d.arena[start:len(d.arena):len(d.arena)], start
}

// anyIn calls match with the values of one field.
func (d *Document) anyIn(f *field, match func(v []byte, isString, inArray bool) bool) bool {
	v, start := d.bytes(f)
	defer func() { d.arena = d.arena[:start] }()
	switch f.kind {
	case kindString:
		return match(v, true, false)
	case kindInt:
		d.arena = strconv.AppendInt(d.arena, f.n, 10)
		return match(d.arena[start:], false, false)
	case kindTime:
		d.arena = time.Unix(0, f.n).UTC().AppendFormat(d.arena, time.RFC3339Nano)
		return match(d.arena[start:], true, false)
	case kindRaw:
		return d.anyRawValue(v, match)
	}
	return false
}

// anyString calls match with the strings of one field, at any depth.
func (d *Document) anyString(f *field, match func(path string, v []byte) bool) bool {
	v, start := d.bytes(f)
	defer func() { d.arena = d.arena[:start] }()
	switch f.kind {
	case kindString:
		return match(f.path, v)
	case kindInt:
		d.arena = strconv.AppendInt(d.arena, f.n, 10)
		return match(f.path, d.arena[start:])
	case kindTime:
		d.arena = time.Unix(0, f.n).UTC().AppendFormat(d.arena, time.RFC3339Nano)
		return match(f.path, d.arena[start:])
	case kindRaw:
		return d.anyRawString(v, f.path, match)
	}
	return false
}

// anyInRawObject looks for path inside a raw JSON object that an ancestor holds.
func (d *Document) anyInRawObject(path string, match func(v []byte, isString, inArray bool) bool) bool {
	for i := range d.fields {
		f := &d.fields[i]
		if f.kind != kindRaw || !isChild(path, f.path) || !d.written(i) {
			continue
		}
		if f.firstByte() != '{' || !d.holdsValue(d.slot(f.path)) || d.movedAside(f.path) {
			continue
		}
		raw, start := d.bytes(f)
		v, ok := rawPath(raw, path[len(f.path)+1:])
		found := ok && d.anyRawValue(v, match)
		d.arena = d.arena[:start]
		if found {
			return true
		}
	}
	return false
}

// rawPath returns the value at the dotted path inside the raw JSON object raw.
func rawPath(raw []byte, path string) ([]byte, bool) {
	for seg := range strings.SplitSeq(path, ".") {
		v, ok := rawMember(raw, seg)
		if !ok {
			return nil, false
		}
		raw = v
	}
	return raw, true
}
