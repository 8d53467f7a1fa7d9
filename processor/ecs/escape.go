package ecs

import (
	"strings"
	"unicode/utf8"

	"github.com/trolly-logs/trolly/internal/jsonstr"
)

// appendEscaped writes s as the inside of a JSON string. Bytes that are not valid UTF-8
// become U+FFFD, so the output is valid UTF-8 whatever s holds.
func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	start, i := 0, 0
	for {
		// Skip plain ASCII, eight bytes at a time while there are eight: most values are.
		for i+8 <= len(s) && specials(load8(s[i:i+8])) == 0 {
			i += 8
		}
		for i < len(s) && isPlain(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			dst = jsonstr.AppendEscapedByte(dst, c)
			i++
			start = i
			continue
		}
		// Converting at most utf8.UTFMax bytes does not allocate.
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// isPlain reports whether c is ASCII that JSON strings hold as it is.
func isPlain(c byte) bool {
	return c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\'
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load8 reads eight bytes little-endian; w is sliced to eight so that the loads need no
// bounds checks.
func load8[T string | []byte](w T) uint64 {
	_ = w[7]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// specials flags, in the high bit of each byte of x, the bytes that may need escaping or
// UTF-8 checking: control bytes, '"', '\\' and non-ASCII bytes. It may flag others (a borrow
// runs upwards from a flagged byte), never miss one.
func specials(x uint64) uint64 {
	quote := x ^ (ones * '"')
	slash := x ^ (ones * '\\')
	return ((x - ones*0x20) | (quote - ones) | (slash - ones) | x) & highs
}

// appendPath appends prefix and then key as path segments below it: key is split at dots,
// an empty segment is written "_" (Elasticsearch rejects empty field names) and invalid
// UTF-8 is replaced, so that two paths are equal exactly when their JSON output is.
func appendPath[T string | []byte](path, prefix []byte, key T) []byte {
	path = append(path, prefix...)
	if len(prefix) > 0 {
		path = append(path, '.')
	}
	segStart := len(path)
	for i := 0; i < len(key); {
		c := key[i]
		switch {
		case c == '.':
			if len(path) == segStart {
				path = append(path, '_')
			}
			path = append(path, '.')
			segStart = len(path)
			i++
		case c < utf8.RuneSelf:
			path = append(path, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(string(key[i:min(i+utf8.UTFMax, len(key))]))
			if r == utf8.RuneError && size == 1 {
				path = utf8.AppendRune(path, utf8.RuneError)
			} else {
				path = append(path, key[i:i+size]...)
			}
			i += size
		}
	}
	if len(path) == segStart {
		path = append(path, '_')
	}
	return path
}

// NormalizePath returns path as the Document stores user paths: no empty segment (written
// "_") and valid UTF-8. It allocates only when path changes.
func NormalizePath(path string) string {
	if isNormal(path) {
		return path
	}
	return string(appendPath(nil, nil, path))
}

func isNormal(path string) bool {
	if path == "" || path[0] == '.' || path[len(path)-1] == '.' || strings.Contains(path, "..") {
		return false
	}
	return utf8.ValidString(path)
}
