package ecs

import (
	"strings"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// appendEscaped writes s as the inside of a JSON string. Bytes that are not valid UTF-8
// become U+FFFD, so the output is valid UTF-8 whatever s holds.
func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain ASCII bytes at a time: most values are.
		for i+8 <= len(s) && !special8(load8(s, i)) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscapedByte(dst, c)
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

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

func load8[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// special8 reports whether one of the eight bytes in x may need escaping or UTF-8 checking:
// a control byte, '"', '\\' or a non-ASCII byte. It may report false positives, never false
// negatives.
func special8(x uint64) bool {
	quote := x ^ (ones * '"')
	slash := x ^ (ones * '\\')
	return ((x-ones*0x20)|(quote-ones)|(slash-ones)|x)&highs != 0
}

func appendEscapedByte(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
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
