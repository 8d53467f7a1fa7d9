package fs_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/fs"
	"github.com/trolly-logs/trolly/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Bucket {
		b, err := fs.New(filepath.Join(t.TempDir(), "bucket"))
		require.NoError(t, err)
		return b
	})
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newBucket returns a bucket at <tmp>/sub/bucket and the <tmp> directory around it.
func newBucket(t *testing.T) (*fs.Bucket, string) {
	outer := t.TempDir()
	b, err := fs.New(filepath.Join(outer, "sub", "bucket"))
	require.NoError(t, err)
	return b, outer
}

// tree returns every file and directory below dir, relative to it.
func tree(t *testing.T, dir string) []string {
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	}))
	return out
}

func TestPathTraversal(t *testing.T) {
	b, outer := newBucket(t)
	ctx := testContext(t)
	victim := filepath.Join(outer, "sub", "victim")
	require.NoError(t, os.WriteFile(victim, []byte("keep"), 0o600))
	before := tree(t, outer)
	for _, key := range append(storagetest.BadKeys, "../victim", "../../sub/victim", "/../victim", "a/../../victim") {
		require.ErrorIs(t, b.Put(ctx, key, []byte("owned")), storage.ErrInvalidKey, "put %q", key)
		_, err := b.Get(ctx, key)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "get %q", key)
		require.ErrorIs(t, b.Delete(ctx, key), storage.ErrInvalidKey, "delete %q", key)
	}
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	require.Equal(t, "keep", string(got))
	require.Equal(t, before, tree(t, outer))
}

func TestTemporaryFilesHidden(t *testing.T) {
	b, _ := newBucket(t)
	ctx := testContext(t)
	require.NoError(t, b.Put(ctx, "t/s/obj", []byte("x")))
	// What a crash between create and rename leaves behind.
	leftover := filepath.Join(b.Root(), "t", "s", ".trolly-tmp-123")
	require.NoError(t, os.WriteFile(leftover, []byte("partial"), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(b.Root(), ".trolly-tmp-dir"), 0o750))

	var keys []string
	for key, err := range b.List(ctx, "") {
		require.NoError(t, err)
		keys = append(keys, key)
	}
	require.Equal(t, []string{"t/s/obj"}, keys)
	for _, key := range []string{"t/s/.trolly-tmp-123", ".trolly-tmp-dir/x"} {
		_, err := b.Get(ctx, key)
		require.ErrorIs(t, err, storage.ErrInvalidKey)
	}
}

func TestPutLeavesOnlyTheObject(t *testing.T) {
	b, _ := newBucket(t)
	ctx := testContext(t)
	require.NoError(t, b.Put(ctx, "a/b/c", []byte("1")))
	require.NoError(t, b.Put(ctx, "a/b/c", []byte("2")))
	require.Equal(t, []string{".", "a", "a/b", "a/b/c"}, tree(t, b.Root()))
	fi, err := os.Stat(filepath.Join(b.Root(), "a", "b", "c"))
	require.NoError(t, err)
	require.True(t, fi.Mode().IsRegular())
}

func TestDeleteRemovesEmptyParents(t *testing.T) {
	b, _ := newBucket(t)
	ctx := testContext(t)
	require.NoError(t, b.Put(ctx, "a/b/c/d", []byte("1")))
	require.NoError(t, b.Put(ctx, "a/x", []byte("2")))
	require.NoError(t, b.Delete(ctx, "a/b/c/d"))
	require.Equal(t, []string{".", "a", "a/x"}, tree(t, b.Root()))
	require.NoError(t, b.Delete(ctx, "a/x"))
	require.Equal(t, []string{"."}, tree(t, b.Root()), "root must stay")
}

func TestConflicts(t *testing.T) {
	b, _ := newBucket(t)
	ctx := testContext(t)
	require.NoError(t, b.Put(ctx, "a/b", []byte("file")))
	require.NoError(t, b.Put(ctx, "d/e/f", []byte("deep")))
	tests := []struct {
		name string
		key  string
	}{
		{"below an object", "a/b/c"},
		{"over a directory", "d/e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := b.Put(ctx, tt.key, []byte("x"))
			require.Error(t, err)
			require.NotErrorIs(t, err, storage.ErrInvalidKey)
			got, err := b.Get(ctx, "a/b")
			require.NoError(t, err)
			require.Equal(t, "file", string(got))
		})
	}
	require.NoError(t, b.Delete(ctx, "d/e"), "a directory is no object: nothing to delete")
	got, err := b.Get(ctx, "d/e/f")
	require.NoError(t, err)
	require.Equal(t, "deep", string(got))
}

func TestListSkipsSymlinks(t *testing.T) {
	b, outer := newBucket(t)
	ctx := testContext(t)
	require.NoError(t, b.Put(ctx, "a/obj", []byte("x")))
	require.NoError(t, os.Symlink(outer, filepath.Join(b.Root(), "a", "link")))
	var keys []string
	for key, err := range b.List(ctx, "") {
		require.NoError(t, err)
		keys = append(keys, key)
	}
	require.Equal(t, []string{"a/obj"}, keys)
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	tests := []struct {
		name    string
		root    string
		wantErr bool
	}{
		{"new directory", filepath.Join(dir, "x", "y"), false},
		{"existing directory", dir, false},
		{"empty root", "", true},
		{"root is a file", file, true},
		{"below a file", filepath.Join(file, "x"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := fs.New(tt.root)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			fi, err := os.Stat(b.Root())
			require.NoError(t, err)
			require.True(t, fi.IsDir())
		})
	}
}
