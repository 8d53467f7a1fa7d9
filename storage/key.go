package storage

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxKeyLen is the longest key a Bucket accepts, in bytes (the S3 limit).
const MaxKeyLen = 1024

// ErrInvalidKey is returned for a key or prefix that ValidateKey or ValidatePrefix rejects.
var ErrInvalidKey = errors.New("invalid object key")

// ValidateKey checks that key is a clean relative slash path that every backend can store:
// non-empty, valid UTF-8, at most MaxKeyLen bytes, no leading or trailing slash, no empty,
// "." or ".." segment, no backslash and no NUL. Such a key cannot name anything outside
// the bucket on a file system. Errors wrap ErrInvalidKey.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidKey, len(key), MaxKeyLen)
	}
	return validatePath(key)
}

// ValidatePrefix checks a List prefix: empty, or a valid key, or a valid key followed by
// one slash. The last segment may be partial, but not "." or "..".
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > MaxKeyLen {
		return fmt.Errorf("%w: prefix of %d bytes, limit %d", ErrInvalidKey, len(prefix), MaxKeyLen)
	}
	return validatePath(strings.TrimSuffix(prefix, "/"))
}

func validatePath(p string) error {
	if !utf8.ValidString(p) {
		return fmt.Errorf("%w: %q is not UTF-8", ErrInvalidKey, p)
	}
	if strings.ContainsAny(p, "\\\x00") {
		return fmt.Errorf("%w: %q holds a backslash or NUL", ErrInvalidKey, p)
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: %q has an empty, \".\" or \"..\" segment", ErrInvalidKey, p)
		}
	}
	return nil
}
