package ecs

import "slices"

const (
	maxShapeFields = 64
	shapeSlots     = 64 // a power of two
)

// shape is what encoding a sequence of fields gives, apart from the values: a parser
// repeats the same paths from line to line, so the sort, and for most documents the whole
// JSON around the values, is worked out once per sequence.
type shape struct {
	hash  uint64
	keys  []shapeKey
	order []int32 // the fields sorted by path, stably
	used  uint64  // when the shape was last hit, to pick which of two slots to replace
	// clean shapes resolve to the sorted fields unchanged: no value dropped or renamed.
	// Only they have a skeleton, and their documents are written without resolving.
	clean bool
	// skeleton: text holds the JSON between the values, groups the values in order.
	text   []byte
	groups []group
}

// shapeKey is what encoding reads of a field besides its value: resolve reads the path, the
// layer and the flags, and a skeleton holds the quotes of a string or a time.
type shapeKey struct {
	path                 string
	kind                 kind
	layer                uint8
	multi, list, dropped bool
}

// group is one key's value in a skeleton: the field at the next position of order, or the
// next n joined into an array. end is where the text before it ends; the quotes around a
// string or a time are in the text.
type group struct {
	end int32
	n   int32
	op  groupOp
}

type groupOp uint8

const (
	opValue  groupOp = iota // appendValue
	opString                // the inside of a string
	opTime                  // the inside of a time
	opArray                 // appendArray
)

func keyOf(f *field) shapeKey {
	return shapeKey{path: f.path, kind: f.kind, layer: f.layer, multi: f.multi, list: f.list, dropped: f.dropped}
}

// hashFields hashes the lengths, two bytes, the kinds and the layers of the paths; lookups
// compare the whole keys.
func (d *Document) hashFields() uint64 {
	const prime = 0x100000001b3
	h := uint64(0xcbf29ce484222325)
	for i := range d.fields {
		f := &d.fields[i]
		x := uint64(len(f.path)) | uint64(f.kind)<<16 | uint64(f.layer)<<20
		if n := len(f.path); n > 0 {
			x |= uint64(f.path[0])<<24 | uint64(f.path[n-1])<<32
		}
		h = (h ^ x) * prime
	}
	return h
}

// lookupShape returns the shape of d's fields and whether it was known; an unknown one has
// its slot ready to learn. nil means the document is too large to remember.
func (d *Document) lookupShape() (*shape, bool) {
	if len(d.fields) > maxShapeFields || len(d.fields) == 0 {
		return nil, false
	}
	if d.shapes == nil {
		d.shapes = make([]shape, shapeSlots)
	}
	d.tick++
	h := d.hashFields()
	i := int(h & (shapeSlots - 1))
	a, b := &d.shapes[i], &d.shapes[i^1]
	for _, sh := range [2]*shape{a, b} {
		if sh.hash == h && d.sameKeys(sh.keys) {
			sh.used = d.tick
			return sh, true
		}
	}
	sh := a
	if b.used < a.used {
		sh = b
	}
	sh.hash, sh.used, sh.clean = h, d.tick, false
	sh.keys = sh.keys[:0]
	for i := range d.fields {
		sh.keys = append(sh.keys, keyOf(&d.fields[i]))
	}
	sh.text, sh.groups = sh.text[:0], sh.groups[:0]
	return sh, false
}

func (d *Document) sameKeys(keys []shapeKey) bool {
	fs := d.fields
	if len(keys) != len(fs) {
		return false
	}
	// Everything but the paths' bytes first: comparing those takes a call.
	for i := range keys {
		k, f := &keys[i], &fs[i]
		if len(k.path) != len(f.path) || k.kind != f.kind || k.layer != f.layer || k.multi != f.multi ||
			k.list != f.list || k.dropped != f.dropped {
			return false
		}
	}
	for i := range keys {
		if keys[i].path != fs[i].path {
			return false
		}
	}
	return true
}

// sortFields sets d.order to the field indexes sorted by path, stably, from sh when it is
// known, and teaches it to sh otherwise.
func (d *Document) sortFields(sh *shape, known bool) {
	d.order = d.order[:0]
	switch {
	case known:
		d.order = append(d.order, sh.order...)
	case sh != nil:
		d.learnOrder(sh)
	default:
		for i := range d.fields {
			d.order = append(d.order, int32(i))
		}
		d.sortOrder()
	}
	if d.anyDropped {
		d.order = slices.DeleteFunc(d.order, func(o int32) bool { return d.fields[o].dropped })
	}
}

// learnOrder sorts indexes of the fields (insertion sort: documents are small) into
// d.order and remembers the result in sh.
func (d *Document) learnOrder(sh *shape) {
	fs := d.fields
	order := d.order[:0]
	for i := range fs {
		order = append(order, int32(i))
		j := len(order) - 1
		for j > 0 && comparePath(fs[order[j-1]].path, fs[i].path) > 0 {
			order[j] = order[j-1]
			j--
		}
		order[j] = int32(i)
	}
	d.order = order
	sh.order = append(sh.order[:0], order...)
}
