package ecs

import (
	"slices"
	"strings"
)

// AppendJSON appends the document to dst as one JSON object: nested objects, keys in byte
// order of their names, collisions resolved as the package comment says. Calling it again
// gives the same bytes.
func (d *Document) AppendJSON(dst []byte) []byte {
	sh, known := d.lookupShape()
	if known && sh.clean {
		d.order = append(d.order[:0], sh.order...)
		return d.writeSkeleton(dst, sh)
	}
	if clean := d.resolve(sh, known); clean && sh != nil && !known {
		sh.clean = true
		return d.write(dst, sh)
	}
	return d.write(dst, nil)
}

// comparePath orders paths so that an object's fields are contiguous and follow the object
// itself: a dot sorts before every other byte.
func comparePath(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	switch {
	case i < n:
		if a[i] == '.' {
			return -1
		}
		if b[i] == '.' || a[i] > b[i] {
			return 1
		}
		return -1
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// isChild reports whether c is a path inside the object p.
func isChild(c, p string) bool {
	return len(c) > len(p) && c[len(p)] == '.' && strings.HasPrefix(c, p)
}

// resolve sets d.order to the indexes of the fields to write, sorted by path, with
// duplicates and value/object collisions settled. Fields themselves never move. It reports
// whether the document is clean: every field kept, under its own path.
func (d *Document) resolve(sh *shape, known bool) (clean bool) {
	d.sortFields(sh, known)
	clean = true
	for {
		d.dedupe()
		if !d.fixConflicts() {
			return clean && !d.anyDropped
		}
		clean = false
		d.sortOrder()
	}
}

// path returns the path of the field at order position i.
func (d *Document) path(i int) string { return d.fields[d.order[i]].path }

// sortOrder sorts d.order by path, stably.
func (d *Document) sortOrder() {
	slices.SortStableFunc(d.order, func(a, b int32) int { return comparePath(d.fields[a].path, d.fields[b].path) })
}

// dedupe keeps one field per path in d.order: the last of the highest layer, or every one
// when the path holds multi fields.
func (d *Document) dedupe() {
	fs, order := d.fields, d.order
	out := order[:0]
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && fs[order[j]].path == fs[order[i]].path {
			j++
		}
		if j == i+1 {
			out = append(out, order[i])
			i = j
			continue
		}
		top, multi := d.runLayer(order[i:j])
		if multi {
			for _, o := range order[i:j] {
				fs[o].multi = true
				out = append(out, o)
			}
		} else {
			w := order[i]
			for _, o := range order[i:j] {
				if fs[o].layer == top {
					w = o
				}
			}
			for _, o := range order[i:j] {
				if o != w {
					d.drop(o)
				}
			}
			out = append(out, w)
		}
		i = j
	}
	d.order = out
}

func (d *Document) runLayer(run []int32) (top uint8, multi bool) {
	for _, o := range run {
		top = max(top, d.fields[o].layer)
		multi = multi || d.fields[o].multi
	}
	return top, multi
}

type rename struct {
	from, to  int // positions in d.order
	oldPrefix string
	newPrefix string
	drop      bool
}

// fixConflicts renames the fields of every value/object collision it finds; it reports
// whether it changed anything. Names are chosen against the sorted order before any rename,
// and a rename never creates a new collision, so repeating it ends.
func (d *Document) fixConflicts() bool {
	n := len(d.order)
	fixes := d.fixes[:0]
	for i := 0; i < n; {
		p := d.path(i)
		j := i + 1
		for j < n && d.path(j) == p {
			j++
		}
		k := j
		for k < n && isChild(d.path(k), p) {
			k++
		}
		if k == j {
			i = j
			continue
		}
		leaf, _ := d.runLayer(d.order[i:j])
		inner, _ := d.runLayer(d.order[j:k])
		switch {
		case j == i+1 && d.fields[d.order[i]].kind == kindEmptyObject:
			fixes = append(fixes, rename{from: i, to: j, drop: true})
			i = j
		case leaf > inner:
			fixes = append(fixes, rename{from: j, to: k, oldPrefix: p, newPrefix: d.freeName(p + "_object")})
			i = k
		default:
			fixes = append(fixes, rename{from: i, to: j, oldPrefix: p, newPrefix: d.freeName(p + "._value")})
			i = j
		}
	}
	d.fixes = fixes
	if len(fixes) == 0 {
		return false
	}
	const dropped = -1
	for _, r := range fixes {
		for x := r.from; x < r.to; x++ {
			if r.drop {
				d.drop(d.order[x])
				d.order[x] = dropped
				continue
			}
			f := &d.fields[d.order[x]]
			f.path = r.newPrefix + f.path[len(r.oldPrefix):]
		}
	}
	d.order = slices.DeleteFunc(d.order, func(o int32) bool { return o == dropped })
	return true
}

// drop marks a field as lost, so that encoding again does not bring it back.
func (d *Document) drop(o int32) {
	d.fields[o].dropped = true
	d.anyDropped = true
}

// freeName returns name, or name followed by underscores, such that no field is at it or
// inside it.
func (d *Document) freeName(name string) string {
	for {
		i, _ := slices.BinarySearchFunc(d.order, name, func(o int32, t string) int { return comparePath(d.fields[o].path, t) })
		if i == len(d.order) || (d.path(i) != name && !isChild(d.path(i), name)) {
			return name
		}
		name += "_"
	}
}
