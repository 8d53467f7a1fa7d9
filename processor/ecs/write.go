package ecs

import "strings"

// write appends the resolved fields as nested objects. It relies on resolve: fields sorted
// by comparePath, one field per path unless multi, and no path both a value and an object.
func (d *Document) write(dst []byte) []byte {
	fs, order := d.fields, d.order
	dst = append(dst, '{')
	prev := ""    // path of the previous field
	depth := 0    // objects open: the dots in prev
	empty := true // the innermost open object has no member yet
	for i := 0; i < len(order); {
		f := &fs[order[i]]
		path := f.path
		keep, start := sharedObjects(prev, path)
		for ; depth > keep; depth-- {
			dst = append(dst, '}')
			empty = false
		}
		for {
			dot := strings.IndexByte(path[start:], '.')
			if dot < 0 {
				break
			}
			dst = appendKey(dst, path[start:start+dot], empty)
			dst = append(dst, '{')
			depth++
			empty = true
			start += dot + 1
		}
		dst = appendKey(dst, path[start:], empty)
		empty = false
		j := i + 1
		if f.multi {
			for j < len(order) && fs[order[j]].path == path {
				j++
			}
		}
		if j == i+1 && !f.list {
			dst = appendValue(dst, f)
		} else {
			dst = appendArray(dst, fs, order[i:j])
		}
		prev = path
		i = j
	}
	for ; depth > 0; depth-- {
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// sharedObjects returns how many of the objects that hold prev also hold path, and where
// path's first segment below them starts.
func sharedObjects(prev, path string) (n, start int) {
	m := min(len(prev), len(path))
	for i := 0; i < m && prev[i] == path[i]; i++ {
		if path[i] == '.' {
			n++
			start = i + 1
		}
	}
	return n, start
}

func appendKey(dst []byte, key string, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = appendEscaped(dst, key)
	return append(dst, '"', ':')
}

// appendArray joins the values of a multi path into one array; arrays among them are
// spliced, so ["a"] and "b" give ["a","b"].
func appendArray(dst []byte, fs []field, run []int32) []byte {
	dst = append(dst, '[')
	n := 0
	for _, o := range run {
		f := &fs[o]
		if f.kind == kindEmptyObject {
			continue
		}
		if f.kind == kindRaw {
			raw := f.s
			if f.b != nil {
				raw = string(f.b)
			}
			if strings.HasPrefix(raw, "[") {
				if inner := raw[1 : len(raw)-1]; inner != "" {
					if n > 0 {
						dst = append(dst, ',')
					}
					dst = append(dst, inner...)
					n++
				}
				continue
			}
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = appendValue(dst, f)
		n++
	}
	return append(dst, ']')
}
