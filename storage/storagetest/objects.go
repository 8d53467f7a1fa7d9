package storagetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/trolly-logs/trolly/storage"
)

func testDelete(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	putAll(t, b, []string{"d/1/x", "d/1/y", "d/2/x"})
	tests := []struct {
		name     string
		key      string
		wantKeys []string
	}{
		{"one of two in a directory", "d/1/x", []string{"d/1/y", "d/2/x"}},
		{"last in its directory", "d/2/x", []string{"d/1/y"}},
		{"missing key", "d/3/nothing", []string{"d/1/y"}},
		{"already deleted", "d/2/x", []string{"d/1/y"}},
		{"a prefix that is no object", "d/1", []string{"d/1/y"}},
		{"last object", "d/1/y", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, b.Delete(ctx, tt.key))
			_, err := b.Get(ctx, tt.key)
			require.ErrorIs(t, err, storage.ErrNotFound)
			require.Equal(t, tt.wantKeys, listAll(t, b, ""))
		})
	}
	t.Run("put again after delete", func(t *testing.T) {
		require.NoError(t, b.Put(ctx, "d/2/x", []byte("again")))
		got, err := b.Get(ctx, "d/2/x")
		require.NoError(t, err)
		require.Equal(t, []byte("again"), got)
	})
}

// BadKeys are keys every Bucket must reject with storage.ErrInvalidKey.
var BadKeys = []string{
	"",
	"/",
	"/a",
	"a/",
	"a//b",
	".",
	"..",
	"./a",
	"a/./b",
	"a/.",
	"../a",
	"a/../b",
	"a/../../../etc/passwd",
	"a/..",
	`a\b`,
	`..\a`,
	"a\x00b",
	"a/\xff",
	strings.Repeat("k", storage.MaxKeyLen+1),
}

func testBadKeys(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	for _, key := range BadKeys {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			require.ErrorIs(t, b.Put(ctx, key, []byte("x")), storage.ErrInvalidKey)
			_, err := b.Get(ctx, key)
			require.ErrorIs(t, err, storage.ErrInvalidKey)
			require.ErrorIs(t, b.Delete(ctx, key), storage.ErrInvalidKey)
		})
	}
	for _, prefix := range []string{"/", "/a", "a//", "../", "a/../b", `a\`, "a/./"} {
		t.Run(fmt.Sprintf("prefix %q", prefix), func(t *testing.T) {
			require.ErrorIs(t, errorsOf(b.List(ctx, prefix)), storage.ErrInvalidKey)
		})
	}
	require.Empty(t, listAll(t, b, ""), "a rejected key stored something")
}

func testManyObjects(t *testing.T, b storage.Bucket) {
	const n = 300
	keys := make([]string, n)
	for i := range keys {
		keys[i] = keyOf(i)
	}
	putAll(t, b, shuffled(keys, 3))
	want := slices.Clone(keys)
	slices.Sort(want)
	require.Equal(t, want, listAll(t, b, ""))
	var inT1 []string
	for _, k := range want {
		if k[:3] == "t1/" {
			inT1 = append(inT1, k)
		}
	}
	require.Equal(t, inT1, listAll(t, b, "t1/"))
}

func testConcurrentPuts(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	const workers, each = 8, 25
	var g errgroup.Group
	for w := range workers {
		g.Go(func() error {
			for i := range each {
				key := keyOf(w*each + i)
				if err := b.Put(ctx, key, []byte(key)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	keys := listAll(t, b, "")
	require.Len(t, keys, workers*each)
	for _, key := range keys {
		got, err := b.Get(ctx, key)
		require.NoError(t, err)
		require.Equal(t, key, string(got))
	}
}

// testConcurrentPutDelete races Puts into a directory with Deletes that empty it.
func testConcurrentPutDelete(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	const rounds = 50
	var g errgroup.Group
	g.Go(func() error {
		for i := range rounds {
			if err := b.Put(ctx, fmt.Sprintf("race/dir/p%03d", i), []byte("p")); err != nil {
				return err
			}
		}
		return nil
	})
	g.Go(func() error {
		for i := range rounds {
			key := fmt.Sprintf("race/dir/d%03d", i)
			if err := b.Put(ctx, key, []byte("d")); err != nil {
				return err
			}
			if err := b.Delete(ctx, key); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, g.Wait())
	require.Len(t, listAll(t, b, "race/"), rounds)
}

func testCanceled(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	putAll(t, b, []string{"c/kept"})
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, b.Put(canceled, "c/new", []byte("x")), context.Canceled)
	_, err := b.Get(canceled, "c/kept")
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, errorsOf(b.List(canceled, "")), context.Canceled)
	require.ErrorIs(t, b.Delete(canceled, "c/kept"), context.Canceled)
	require.Equal(t, []string{"c/kept"}, listAll(t, b, ""), "a canceled call changed the bucket")
}
