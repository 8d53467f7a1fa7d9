package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// Reading CEF's escapes and its extension of key=value pairs.

// cefIndexUnescaped returns the index of the first c in b that no backslash escapes, or -1.
func cefIndexUnescaped(b []byte, c byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case c:
			return i
		}
	}
	return -1
}

// cefHeaderUnescape decodes the header's escapes \| and \\; other backslashes stay.
func cefHeaderUnescape(d *ecs.Document, v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	return d.Append(func(dst []byte) []byte {
		for i := 0; i < len(v); i++ {
			if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '|' || v[i+1] == '\\') {
				i++
			}
			dst = append(dst, v[i])
		}
		return dst
	})
}

// cefUnescape decodes an extension value's escapes \= \\ \n \r; other backslashes stay.
func cefUnescape(d *ecs.Document, v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	return d.Append(func(dst []byte) []byte {
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c == '\\' && i+1 < len(v) {
				switch v[i+1] {
				case '=', '\\':
					c = v[i+1]
					i++
				case 'n':
					c = '\n'
					i++
				case 'r':
					c = '\r'
					i++
				}
			}
			dst = append(dst, c)
		}
		return dst
	})
}

func isCEFKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == '[' || c == ']'
}

// cefCheckExtension reports an extension that is not key=value pairs.
func cefCheckExtension(ext []byte) error {
	i := 0
	for i < len(ext) && ext[i] == ' ' {
		i++
	}
	if i == len(ext) {
		return nil
	}
	k := i
	for k < len(ext) && isCEFKeyByte(ext[k]) {
		k++
	}
	if k == i || k == len(ext) || ext[k] != '=' {
		return noMatch(nil, "cef: the extension %s does not start with key=value", quote(ext[i:]))
	}
	return nil
}

// cefNext reads the extension pair that starts at or after ext[i]: a value runs to the space
// before the next key=, and an unescaped '=' not after a key is part of it. cefCheckExtension
// must have accepted ext.
func cefNext(ext []byte, i int) (key, value []byte, next int) {
	for i < len(ext) && ext[i] == ' ' {
		i++
	}
	eq := i
	for eq < len(ext) && ext[eq] != '=' {
		eq++
	}
	key = ext[i:eq]
	start := min(eq+1, len(ext))
	for j := start; j < len(ext); j++ {
		switch ext[j] {
		case '\\':
			j++
		case '=':
			k := j
			for k > start && isCEFKeyByte(ext[k-1]) {
				k--
			}
			if k < j && k > start && ext[k-1] == ' ' {
				return key, bytes.TrimRight(ext[start:k-1], " "), k
			}
		}
	}
	return key, bytes.TrimRight(ext[start:], " "), len(ext)
}

// mergeCEFDynamic sets the fields whose paths come from the line: extensions that are not
// in the dictionary, and labels. They are written as one JSON object for MergeJSON, which
// interns the paths, so they cost no allocation per line.
func mergeCEFDynamic(d *ecs.Document, ext []byte, custom *cefCustom) error {
	obj := d.Append(func(dst []byte) []byte {
		dst = append(dst, '{')
		n := 0
		sep := func() {
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
		}
		for i := 0; i < len(ext); {
			key, raw, next := cefNext(ext, i)
			if len(key) == 0 {
				break
			}
			i = next
			if _, known := cefKey(key); known {
				continue
			}
			sep()
			dst = append(dst, `"cef.extensions.`...)
			dst = appendJSONEscaped(dst, key, false)
			dst = append(dst, `":"`...)
			dst = appendCEFValueJSON(dst, raw)
			dst = append(dst, '"')
		}
		for _, c := range custom {
			if c.value == nil || len(c.label) == 0 {
				continue
			}
			sep()
			dst = append(dst, `"labels.`...)
			dst = cefAppendLabel(dst, c.label)
			dst = append(dst, `":`...)
			dst = appendJSONString(dst, c.value)
		}
		return append(dst, '}')
	})
	if err := d.MergeJSON(obj); err != nil {
		return noMatch(err, "cef: %v", err)
	}
	return nil
}

// appendCEFValueJSON writes an extension value, unescaped, as the inside of a JSON string.
func appendCEFValueJSON(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			switch v[i+1] {
			case '=', '\\':
				c = v[i+1]
				i++
			case 'n':
				c = '\n'
				i++
			case 'r':
				c = '\r'
				i++
			}
		}
		dst = appendJSONByte(dst, c)
	}
	return dst
}

// cefAppendLabel writes a label as an ECS labels key: lower case, and '_' for anything but
// letters, digits and '-' (ECS wants no dots in label keys).
func cefAppendLabel(dst, label []byte) []byte {
	for _, c := range bytes.TrimSpace(label) {
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
		default:
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}
