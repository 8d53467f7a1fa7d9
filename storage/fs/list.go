package fs

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/trolly-logs/trolly/storage"
)

// List yields the keys that start with prefix in lexical order. It reads only the
// directory holding the prefix's last segment and the directories below the entries
// that match it.
func (b *Bucket) List(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := storage.ValidatePrefix(prefix); err != nil {
			yield("", err)
			return
		}
		dirKey, namePrefix := ".", prefix
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			dirKey, namePrefix = prefix[:i], prefix[i+1:]
		}
		b.walk(ctx, dirKey, namePrefix, yield)
	}
}

// walk yields the objects below dirKey whose first segment starts with namePrefix; it
// returns false once the caller stopped or an error was yielded.
func (b *Bucket) walk(ctx context.Context, dirKey, namePrefix string, yield func(string, error) bool) bool {
	if err := ctx.Err(); err != nil {
		yield("", err)
		return false
	}
	entries, err := os.ReadDir(b.path(dirKey))
	if err != nil {
		if isMissing(err) {
			return true
		}
		yield("", fmt.Errorf("list %s: %w", dirKey, err))
		return false
	}
	// Keys below a directory "x" all start "x/", so that is where they sort among files.
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return cmp.Compare(sortName(a), sortName(b)) })
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, namePrefix) || strings.HasPrefix(name, tmpPrefix) {
			continue
		}
		key := name
		if dirKey != "." {
			key = path.Join(dirKey, name)
		}
		switch {
		case e.IsDir():
			if !b.walk(ctx, key, "", yield) {
				return false
			}
		case e.Type().IsRegular():
			if !yield(key, nil) {
				return false
			}
		}
	}
	return true
}

func sortName(e os.DirEntry) string {
	if e.IsDir() {
		return e.Name() + "/"
	}
	return e.Name()
}
