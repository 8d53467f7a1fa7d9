package ecs

import (
	"strings"

	"github.com/trolly-logs/trolly/internal/jsonstr"
)

// Reading and editing kindRaw values: compact, valid JSON (SetRaw's contract, and what
// MergeJSON makes of arrays). The scanners stay within bounds on any input.

// stringEnd returns the index after the string that starts with the quote at raw[i].
func stringEnd(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(raw)
}

// rawEnd returns the index after the value that starts at raw[i].
func rawEnd(raw []byte, i int) int {
	depth := 0
	for ; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			i = stringEnd(raw, i) - 1
			if depth == 0 {
				return i + 1
			}
		case '[', '{':
			depth++
		case ']', '}':
			if depth == 0 {
				return i
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return len(raw)
}

// elements calls fn with the bounds of each element of the array raw, until fn returns
// true; it reports whether fn did.
func elements(raw []byte, fn func(start, end int) bool) bool {
	if len(raw) < 2 || raw[0] != '[' {
		return false
	}
	for i := 1; i < len(raw) && raw[i] != ']'; {
		end := max(rawEnd(raw, i), i+1)
		if fn(i, end) {
			return true
		}
		i = end
		if i < len(raw) && raw[i] == ',' {
			i++
		}
	}
	return false
}

// unquote returns the text of the JSON string tok (quotes included). Unescaped text is
// appended to the arena, which the caller truncates when done with it.
func (d *Document) unquote(tok []byte) []byte {
	if len(tok) < 2 {
		return nil
	}
	inner := tok[1 : len(tok)-1]
	escaped := false
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\\' {
			n := jsonstr.EscapeLen(inner[i:])
			if n == 0 {
				return inner // not valid JSON: keep the bytes
			}
			escaped = true
			i += n - 1
		}
	}
	if !escaped {
		return inner
	}
	start := len(d.arena)
	d.arena = jsonstr.AppendUnescaped(d.arena, inner)
	return d.arena[start:len(d.arena):len(d.arena)]
}

// anyRawValue calls match with the scalar raw, or with each scalar element of the array
// raw.
func (d *Document) anyRawValue(raw []byte, match func(v []byte, isString, inArray bool) bool) bool {
	if len(raw) > 0 && raw[0] == '[' {
		return elements(raw, func(start, end int) bool { return d.anyRawScalar(raw[start:end], true, match) })
	}
	return d.anyRawScalar(raw, false, match)
}

func (d *Document) anyRawScalar(v []byte, inArray bool, match func(v []byte, isString, inArray bool) bool) bool {
	if len(v) == 0 {
		return false
	}
	switch v[0] {
	case '"':
		start := len(d.arena)
		found := match(d.unquote(v), true, inArray)
		d.arena = d.arena[:start]
		return found
	case '[', '{', 'n':
		return false
	}
	return match(v, false, inArray)
}

// anyRawString calls match with every string value in raw, at any depth; keys are no
// values.
func (d *Document) anyRawString(raw []byte, path string, match func(path string, v []byte) bool) bool {
	inArray := 0
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '[':
			inArray++
		case c == ']':
			inArray--
		case c == '"':
			end := stringEnd(raw, i)
			if end < len(raw) && raw[end] == ':' {
				i = end - 1
				continue
			}
			start := len(d.arena)
			found := match(path, d.unquote(raw[i:end]))
			d.arena = d.arena[:start]
			if found {
				return true
			}
			i = end - 1
		case c == '-' || '0' <= c && c <= '9' || c == 't' || c == 'f':
			// raw is compact, valid JSON: outside strings, a scalar runs to the next delimiter
			end := i + 1
			for end < len(raw) && !strings.ContainsRune(",]}", rune(raw[end])) {
				end++
			}
			if match(path, raw[i:end]) {
				return true
			}
			i = end - 1
		case c == 'n':
			// a search engine keeps an array as its JSON text, nulls included
			if inArray > 0 && match(path, raw[i:min(i+len("null"), len(raw))]) {
				return true
			}
			i += len("null") - 1
		}
	}
	return false
}

// rawMember returns the value of key in the JSON object raw.
func rawMember(raw []byte, key string) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '{' {
		return nil, false
	}
	for i := 1; i < len(raw) && raw[i] == '"'; {
		kend := stringEnd(raw, i)
		if kend >= len(raw) || raw[kend] != ':' {
			return nil, false
		}
		vend := max(rawEnd(raw, kend+1), kend+1)
		if string(raw[i+1:kend-1]) == key {
			return raw[kend+1 : vend], true
		}
		i = vend
		if i < len(raw) && raw[i] == ',' {
			i++
		}
	}
	return nil, false
}

// editString offers edit the string of a kindString field, or of a kindRaw one that holds
// a JSON string, and stores the replacement as a string.
func (d *Document) editString(f *field, edit func(dst, s []byte) ([]byte, bool)) int {
	v, start := d.bytes(f)
	if f.kind == kindRaw {
		v = d.unquote(v)
	}
	mid := len(d.arena)
	out, ok := edit(d.arena, v)
	if !ok {
		d.arena = d.arena[:start]
		return 0
	}
	d.arena = out
	f.b, f.s, f.kind = d.arena[mid:len(d.arena):len(d.arena)], "", kindString
	return 1
}

// editArray offers edit each string of a kindRaw array and rewrites the array when one
// changes. Arrays at edited paths are rare, so it takes its buffers from the heap.
func (d *Document) editArray(f *field, edit func(dst, s []byte) ([]byte, bool)) int {
	raw, start := d.bytes(f)
	defer func() { d.arena = d.arena[:start] }()
	arr := []byte{'['}
	var buf []byte
	n := 0
	elements(raw, func(s, e int) bool {
		if len(arr) > 1 {
			arr = append(arr, ',')
		}
		el := raw[s:e]
		if el[0] != '"' {
			arr = append(arr, el...)
			return false
		}
		mark := len(d.arena)
		out, ok := edit(buf[:0], d.unquote(el))
		d.arena = d.arena[:mark]
		if !ok {
			arr = append(arr, el...)
			return false
		}
		buf = out
		n++
		arr = append(arr, '"')
		arr = appendEscaped(arr, out)
		arr = append(arr, '"')
		return false
	})
	if n == 0 {
		return 0
	}
	arr = append(arr, ']')
	d.arena = d.arena[:start]
	f.b, f.s = d.Append(func(dst []byte) []byte { return append(dst, arr...) }), ""
	start = len(d.arena) // keep the new array
	return n
}
