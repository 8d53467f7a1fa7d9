package ecs

import "slices"

const (
	maxShapeFields = 64
	shapeCache     = 8
)

// shape is the sorting permutation of a sequence of paths.
type shape struct {
	paths []string
	order []int32
}

// sortFields sets d.order to the field indexes sorted by path, stably. The permutation
// depends only on the sequence of paths, which a parser repeats from line to line, so
// recent ones are remembered.
func (d *Document) sortFields() {
	d.order = d.order[:0]
	switch sh := d.knownShape(); {
	case len(d.fields) > maxShapeFields:
		for i := range d.fields {
			d.order = append(d.order, int32(i))
		}
		d.sortOrder()
	case sh != nil:
		d.order = append(d.order, sh.order...)
	default:
		d.learnShape()
	}
	if d.anyDropped {
		d.order = slices.DeleteFunc(d.order, func(o int32) bool { return d.fields[o].dropped })
	}
}

func (d *Document) knownShape() *shape {
	for i := range d.shapes {
		sh := &d.shapes[i]
		if len(sh.paths) == len(d.fields) && len(sh.paths) > 0 &&
			slices.EqualFunc(sh.paths, d.fields, func(p string, f field) bool { return p == f.path }) {
			return sh
		}
	}
	return nil
}

// learnShape sorts indexes of the fields (insertion sort: documents are small) into
// d.order and remembers the result.
func (d *Document) learnShape() {
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
	sh := &d.shapes[d.nextShape]
	d.nextShape = (d.nextShape + 1) % shapeCache
	sh.paths = sh.paths[:0]
	for i := range fs {
		sh.paths = append(sh.paths, fs[i].path)
	}
	sh.order = append(sh.order[:0], order...)
}
