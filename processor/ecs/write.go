package ecs

import (
	"strconv"
	"strings"
)

// write appends the resolved fields as nested objects. It relies on resolve: fields sorted
// by comparePath, one field per path unless multi, and no path both a value and an object.
// A non-nil sk learns the skeleton of the document.
func (d *Document) write(dst []byte, sk *shape) []byte {
	fs, order := d.fields, d.order
	rec := skeletonRecorder{sk: sk, last: len(dst)}
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
		dst = d.writeValue(dst, &rec, order[i:j])
		prev = path
		i = j
	}
	for ; depth > 0; depth-- {
		dst = append(dst, '}')
	}
	dst = append(dst, '}')
	rec.end(dst)
	return dst
}

// writeValue writes the value of one key, the fields of run, and tells rec where it is.
func (d *Document) writeValue(dst []byte, rec *skeletonRecorder, run []int32) []byte {
	f := &d.fields[run[0]]
	switch {
	case len(run) > 1 || f.list:
		rec.value(dst, len(run), opArray)
		dst = appendArray(dst, d.fields, run)
	case f.kind == kindString || f.kind == kindTime:
		dst = append(dst, '"')
		if f.kind == kindString {
			rec.value(dst, 1, opString)
			dst = appendString(dst, f)
		} else {
			rec.value(dst, 1, opTime)
			dst = appendRFC3339(dst, f.n)
		}
		rec.last = len(dst)
		return append(dst, '"')
	default:
		rec.value(dst, 1, opValue)
		dst = appendValue(dst, f)
	}
	rec.last = len(dst)
	return dst
}

// skeletonRecorder copies what write puts between values into a shape.
type skeletonRecorder struct {
	sk   *shape
	last int // where the previous value ended in dst
}

func (r *skeletonRecorder) value(dst []byte, n int, op groupOp) {
	if r.sk == nil {
		return
	}
	r.sk.text = append(r.sk.text, dst[r.last:]...)
	r.sk.groups = append(r.sk.groups, group{end: int32(len(r.sk.text)), n: int32(n), op: op})
}

func (r *skeletonRecorder) end(dst []byte) {
	if r.sk != nil {
		r.sk.text = append(r.sk.text, dst[r.last:]...)
	}
}

// writeSkeleton appends the document of a clean shape: its text, with the values between.
func (d *Document) writeSkeleton(dst []byte, sk *shape) []byte {
	fs, order, text := d.fields, sk.order, sk.text
	start, at := int32(0), 0
	for _, g := range sk.groups {
		dst = append(dst, text[start:g.end]...)
		start = g.end
		switch f := &fs[order[at]]; g.op {
		case opString:
			dst = appendString(dst, f)
		case opTime:
			dst = appendRFC3339(dst, f.n)
		case opArray:
			dst = appendArray(dst, fs, order[at:at+int(g.n)])
		default:
			dst = appendValue(dst, f)
		}
		at += int(g.n)
	}
	return append(dst, text[start:]...)
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

// appendValue writes one value (not an array of multi fields).
func appendValue(dst []byte, f *field) []byte {
	switch f.kind {
	case kindString:
		dst = append(dst, '"')
		dst = appendString(dst, f)
		return append(dst, '"')
	case kindInt:
		return strconv.AppendInt(dst, f.n, 10)
	case kindTime:
		dst = append(dst, '"')
		dst = appendRFC3339(dst, f.n)
		return append(dst, '"')
	case kindEmptyObject:
		return append(dst, "{}"...)
	default: // kindRaw
		dst = append(dst, f.b...)
		return append(dst, f.s...)
	}
}

// appendString writes the inside of a string field.
func appendString(dst []byte, f *field) []byte {
	if len(f.b) > 0 {
		dst = appendEscaped(dst, f.b)
	}
	if len(f.s) > 0 {
		dst = appendEscaped(dst, f.s)
	}
	return dst
}

// appendRFC3339 writes Unix nanoseconds in UTC as time.RFC3339Nano does: the fraction
// without trailing zeros, none when it is zero. It is written out because every document
// has a time, and the standard library's formatting is several times slower.
func appendRFC3339(dst []byte, unixNano int64) []byte {
	const nsPerSec, secPerDay = 1_000_000_000, 86400
	sec, nsec := unixNano/nsPerSec, unixNano%nsPerSec
	if nsec < 0 {
		sec, nsec = sec-1, nsec+nsPerSec
	}
	days, sod := sec/secPerDay, sec%secPerDay
	if sod < 0 {
		days, sod = days-1, sod+secPerDay
	}
	y, m, d := civil(days)
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	dst = append2(dst, m, '-')
	dst = append2(dst, d, 'T')
	dst = append2(dst, int(sod/3600), ':')
	dst = append2(dst, int(sod/60%60), ':')
	dst = append2(dst, int(sod%60), '.')
	if nsec == 0 {
		dst[len(dst)-1] = 'Z'
		return dst
	}
	var frac [9]byte
	for i := 8; i >= 0; i-- {
		frac[i] = byte('0' + nsec%10)
		nsec /= 10
	}
	n := 9
	for frac[n-1] == '0' {
		n--
	}
	dst = append(dst, frac[:n]...)
	return append(dst, 'Z')
}

// append2 writes v in two digits, then sep.
func append2(dst []byte, v int, sep byte) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10), sep)
}

// civil returns the proleptic Gregorian date of a day counted from 1970-01-01 (Howard
// Hinnant's civil_from_days). Unix nanoseconds reach the years 1677 to 2262 only, so the
// day is never before the algorithm's epoch of 0000-03-01.
func civil(days int64) (year, month, day int) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}
