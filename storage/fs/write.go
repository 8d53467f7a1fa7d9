package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
)

// writeFile makes data appear at file atomically and durably.
func (b *Bucket) writeFile(ctx context.Context, dir, file string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	// The last point where giving up leaves nothing behind.
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = os.Rename(tmp, file); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	return syncDir(dir)
}

// mkdirs creates the directories of dirKey below the root, syncing the parent of each
// one it creates so that the new entry survives a crash.
func (b *Bucket) mkdirs(dirKey string) error {
	if dirKey == "." {
		return nil
	}
	if fi, err := os.Stat(b.path(dirKey)); err == nil && fi.IsDir() {
		return nil
	}
	parent := b.root
	for seg := range strings.SplitSeq(dirKey, "/") {
		dir := filepath.Join(parent, seg)
		err := os.Mkdir(dir, 0o750)
		switch {
		case err == nil:
			if err := syncDir(parent); err != nil {
				return err
			}
		case errors.Is(err, iofs.ErrExist):
			fi, statErr := os.Stat(dir)
			if statErr != nil {
				return fmt.Errorf("stat %s: %w", dir, statErr)
			}
			if !fi.IsDir() {
				return fmt.Errorf("make directory %s: an object holds that name", dir)
			}
		default:
			return fmt.Errorf("make directory %s: %w", dir, err)
		}
		parent = dir
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	err = d.Sync()
	if closeErr := d.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
