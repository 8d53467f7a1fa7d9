package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/trolly-logs/trolly/storage"
)

// tmpPrefix starts the names of files being written; keys may not use it, so List can
// skip them and a crash leaves nothing that looks like an object.
const tmpPrefix = ".trolly-tmp-"

// putAttempts bounds the retries of a Put whose directory a concurrent Delete removed.
const putAttempts = 5

// Bucket stores objects as files under a root directory. It is safe for concurrent use,
// also by several processes sharing the root.
type Bucket struct {
	root string
}

var _ storage.Bucket = (*Bucket)(nil)

// New returns a Bucket rooted at root, creating the directory if needed.
func New(root string) (*Bucket, error) {
	if root == "" {
		return nil, errors.New("new fs bucket: empty root")
	}
	root = filepath.Clean(root)
	_, statErr := os.Stat(root)
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("create bucket root %s: %w", root, err)
	}
	if errors.Is(statErr, iofs.ErrNotExist) {
		if err := syncDir(filepath.Dir(root)); err != nil {
			return nil, err
		}
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("stat bucket root %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("bucket root %s: not a directory", root)
	}
	return &Bucket{root: root}, nil
}

// Root returns the directory that holds the objects.
func (b *Bucket) Root() string { return b.root }

// Put writes data to a temporary file beside the key's file, syncs it, renames it over
// the key and syncs the directory.
func (b *Bucket) Put(ctx context.Context, key string, data []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dirKey := path.Dir(key)
	var err error
	for range putAttempts {
		if err = b.mkdirs(dirKey); err == nil {
			err = b.writeFile(ctx, b.path(dirKey), b.path(key), data)
		}
		// A concurrent Delete may remove an emptied directory under us: make it again.
		if !errors.Is(err, iofs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Get returns the object at key, or storage.ErrNotFound.
func (b *Bucket) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(b.path(key))
	if err != nil {
		if isMissing(err) || errors.Is(err, syscall.EISDIR) {
			return nil, fmt.Errorf("get %s: %w", key, storage.ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return data, nil
}

// Delete removes the object at key and then its parent directories that became empty,
// up to the root. A missing key is not an error.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := b.path(key)
	fi, err := os.Lstat(p)
	if isMissing(err) || (err == nil && fi.IsDir()) {
		return nil
	}
	if err == nil {
		err = os.Remove(p)
	}
	if err != nil && !isMissing(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	// Not synced: a deletion lost in a crash is redone by the next retention pass.
	for dir := path.Dir(key); dir != "."; dir = path.Dir(dir) {
		if os.Remove(b.path(dir)) != nil {
			break // not empty, or already gone
		}
	}
	return nil
}

func (b *Bucket) path(key string) string {
	if key == "." {
		return b.root
	}
	return filepath.Join(b.root, filepath.FromSlash(key))
}

// checkKey adds to storage.ValidateKey what this backend reserves for itself.
func checkKey(key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return err
	}
	if strings.HasPrefix(key, tmpPrefix) || strings.Contains(key, "/"+tmpPrefix) {
		return fmt.Errorf("%w: %q: segments starting %q are reserved", storage.ErrInvalidKey, key, tmpPrefix)
	}
	return nil
}

func isMissing(err error) bool {
	return errors.Is(err, iofs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
