package ecs

import (
	"math"
	"strconv"
	"time"
)

type kind uint8

const (
	kindString      kind = iota + 1 // b or s, escaped on output
	kindInt                         // n
	kindRaw                         // b or s, compact valid JSON
	kindTime                        // n, Unix nanoseconds
	kindEmptyObject                 // {} from user JSON; dropped when the path also has children
)

const (
	layerUser uint8 = iota
	layerReserved
)

// field is one value at a path. Values are not copied: b must stay unchanged until the
// document is encoded or Reset.
type field struct {
	path  string
	s     string
	b     []byte
	n     int64
	kind  kind
	layer uint8
	// multi fields at the same path are joined into one array; a list field makes it an
	// array even when it is alone.
	multi, list bool
	// dropped fields lost to another at their path when the document was encoded.
	dropped bool
}

// Document is an ECS document under construction. The zero value is ready to use; it is not
// safe for concurrent use.
type Document struct {
	fields []field
	// arena holds bytes made while building (unescaped strings, nested JSON). Slices of it
	// stay valid until Reset even when it grows, because grown bytes are never rewritten.
	arena []byte
	layer uint8

	message    []byte
	hasMessage bool
	ts         int64
	hasTS      bool

	order      []int32 // encoder: indexes of the fields to write, in order
	anyDropped bool    // encoder: some field is dropped
	// shapes remember how recent sequences of fields encode (see shape), made on first use.
	shapes []shape
	tick   uint64
	json   jsonParser
	names  map[string]string // interned paths of user JSON
	fixes  []rename
}

// Reset empties the document and keeps its memory, which is not cleared: it may keep the
// last record's bytes reachable until the next record overwrites them.
func (d *Document) Reset() {
	d.fields = d.fields[:0]
	d.arena = d.arena[:0]
	d.layer = layerUser
	d.anyDropped = false
	d.message, d.hasMessage = nil, false
	d.ts, d.hasTS = 0, false
}

// Reserve makes every field set after it, until Reset, a reserved field: it replaces a user
// field of the same path and keeps its path when a user object collides with it. The
// processor sets the always-present fields this way, so input cannot forge them.
func (d *Document) Reserve() { d.layer = layerReserved }

func (d *Document) add(f field) {
	f.layer = max(f.layer, d.layer)
	d.fields = append(d.fields, f)
}

// SetBytes sets path to the string v. v is not copied.
func (d *Document) SetBytes(path string, v []byte) {
	d.add(field{path: path, b: v, kind: kindString})
}

// SetString sets path to the string v.
func (d *Document) SetString(path, v string) {
	d.add(field{path: path, s: v, kind: kindString})
}

// SetInt sets path to the number n.
func (d *Document) SetInt(path string, n int64) {
	d.add(field{path: path, n: n, kind: kindInt})
}

// SetRaw sets path to v, which must be compact, valid JSON (such as `["web"]`).
func (d *Document) SetRaw(path, v string) {
	d.add(field{path: path, s: v, kind: kindRaw})
}

// SetTime sets path to t, written in RFC 3339 in UTC. t must be within the range of
// time.Time.UnixNano (years 1678 to 2262).
func (d *Document) SetTime(path string, t time.Time) {
	d.add(field{path: path, n: t.UnixNano(), kind: kindTime})
}

// AddTag appends tag to the document's "tags" array, after any tags the input carried.
func (d *Document) AddTag(tag string) {
	d.fields = append(d.fields, field{path: "tags", s: tag, kind: kindString, layer: layerReserved, multi: true, list: true})
}

// AddError appends msg to the document's "error.message": a string when it is the only
// one, else an array after any the input carried.
func (d *Document) AddError(msg string) {
	d.fields = append(d.fields, field{path: "error.message", s: msg, kind: kindString, layer: layerReserved, multi: true})
}

// Append calls fn with the document's arena and returns what fn appended to it; the bytes
// stay valid until Reset. Parsers use it for values they must rewrite, such as unescaped
// strings.
func (d *Document) Append(fn func(dst []byte) []byte) []byte {
	start := len(d.arena)
	d.arena = fn(d.arena)
	return d.arena[start:len(d.arena):len(d.arena)]
}

// SetMessage records the document's message; the caller writes it as a field.
func (d *Document) SetMessage(v []byte) { d.message, d.hasMessage = v, true }

// Message returns what SetMessage recorded.
func (d *Document) Message() ([]byte, bool) { return d.message, d.hasMessage }

// SetTimestamp records the event's time, in Unix nanoseconds; the caller writes it as
// "@timestamp".
func (d *Document) SetTimestamp(unixNano int64) { d.ts, d.hasTS = unixNano, true }

// Timestamp returns what SetTimestamp recorded.
func (d *Document) Timestamp() (int64, bool) { return d.ts, d.hasTS }

// Take removes every field set at exactly path and returns the last one's value: the string
// itself when isString, else its JSON text.
func (d *Document) Take(path string) (v []byte, isString, ok bool) {
	last := -1
	for i := range d.fields {
		if d.fields[i].path == path {
			last = i
		}
	}
	if last < 0 {
		return nil, false, false
	}
	f := d.fields[last]
	isString = f.kind == kindString
	if isString && f.b != nil {
		v = f.b
	} else {
		v = d.Append(func(dst []byte) []byte {
			if isString {
				return append(dst, f.s...)
			}
			return appendValue(dst, &f)
		})
	}
	out := d.fields[:0]
	for _, g := range d.fields {
		if g.path != path {
			out = append(out, g)
		}
	}
	clear(d.fields[len(out):]) // the removed fields are past the end
	d.fields = out
	return v, isString, true
}

// Mark is a point to roll a document back to.
type Mark struct {
	fields, arena int
	message       []byte
	hasMessage    bool
	ts            int64
	hasTS         bool
}

// Mark returns the document's current state, for Rollback.
func (d *Document) Mark() Mark {
	return Mark{len(d.fields), len(d.arena), d.message, d.hasMessage, d.ts, d.hasTS}
}

// Rollback forgets every field, message and timestamp set since m was taken; a parser that
// fails half-way leaves nothing behind.
func (d *Document) Rollback(m Mark) {
	clear(d.fields[m.fields:])
	d.fields = d.fields[:m.fields]
	d.arena = d.arena[:m.arena]
	d.message, d.hasMessage, d.ts, d.hasTS = m.message, m.hasMessage, m.ts, m.hasTS
}

// SetFloat sets path to the number f; NaN and infinities, which JSON cannot hold, are
// written as null.
func (d *Document) SetFloat(path string, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		d.add(field{path: path, s: "null", kind: kindRaw})
		return
	}
	v := d.Append(func(dst []byte) []byte { return strconv.AppendFloat(dst, f, 'g', -1, 64) })
	d.add(field{path: path, b: v, kind: kindRaw})
}

// SetBool sets path to true or false.
func (d *Document) SetBool(path string, v bool) {
	d.add(field{path: path, s: strconv.FormatBool(v), kind: kindRaw})
}
