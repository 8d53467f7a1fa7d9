package storagetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/storage"
)

// Run runs the conformance suite. newBucket returns an empty bucket for one subtest and
// arranges its cleanup with t.Cleanup.
func Run(t *testing.T, newBucket func(t *testing.T) storage.Bucket) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b storage.Bucket)
	}{
		{"RoundTrip", testRoundTrip},
		{"Overwrite", testOverwrite},
		{"NotFound", testNotFound},
		{"ListOrder", testListOrder},
		{"ListPrefix", testListPrefix},
		{"ListEmpty", testListEmpty},
		{"ListStop", testListStop},
		{"Delete", testDelete},
		{"BadKeys", testBadKeys},
		{"ManyObjects", testManyObjects},
		{"ConcurrentPuts", testConcurrentPuts},
		{"ConcurrentPutDelete", testConcurrentPutDelete},
		{"Canceled", testCanceled},
		{"DropTenant", testDropTenant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newBucket(t))
		})
	}
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func testRoundTrip(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	tests := []struct {
		name string
		key  string
		data []byte
	}{
		{"top level", "object", []byte("hello")},
		{"nested", "t1/web/2024/05/01/13/01HX.ndjson.zst", []byte("{\"a\":1}\n")},
		{"empty object", "empty/object", []byte{}},
		{"binary", "bin/data", []byte{0, 1, 2, 0xff, '\n', '\r'}},
		{"dot names", "a/.hidden/..x/x..", []byte("dots")},
		{"unicode", "tenant/café/日本", []byte("unicode")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, b.Put(ctx, tt.key, tt.data))
			got, err := b.Get(ctx, tt.key)
			require.NoError(t, err)
			require.Len(t, got, len(tt.data))
			if len(tt.data) > 0 {
				require.Equal(t, tt.data, got)
			}
		})
	}
	t.Run("put keeps no reference to data", func(t *testing.T) {
		data := []byte("original")
		require.NoError(t, b.Put(ctx, "copy/check", data))
		copy(data, "CHANGED!")
		got, err := b.Get(ctx, "copy/check")
		require.NoError(t, err)
		require.Equal(t, []byte("original"), got)
	})
}

func testOverwrite(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	require.NoError(t, b.Put(ctx, "a/b", []byte("first, and longer than the second")))
	require.NoError(t, b.Put(ctx, "a/b", []byte("second")))
	got, err := b.Get(ctx, "a/b")
	require.NoError(t, err)
	require.Equal(t, []byte("second"), got)
	require.Equal(t, []string{"a/b"}, listAll(t, b, ""))
}

func testNotFound(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	require.NoError(t, b.Put(ctx, "x/y/z", []byte("z")))
	for _, key := range []string{"missing", "x/y/missing", "x/y", "x", "x/y/z/deeper", "x/y/zz"} {
		t.Run(key, func(t *testing.T) {
			_, err := b.Get(ctx, key)
			require.ErrorIs(t, err, storage.ErrNotFound)
		})
	}
}

func listAll(t *testing.T, b storage.Bucket, prefix string) []string {
	t.Helper()
	keys := []string{}
	for key, err := range b.List(testContext(t), prefix) {
		require.NoError(t, err)
		keys = append(keys, key)
	}
	return keys
}

func putAll(t *testing.T, b storage.Bucket, keys []string) {
	t.Helper()
	ctx := testContext(t)
	for _, key := range keys {
		require.NoError(t, b.Put(ctx, key, []byte(key)))
	}
}

func errorsOf(seq func(func(string, error) bool)) error {
	var errs []error
	for _, err := range seq {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func shuffled(keys []string, seed uint64) []string {
	out := slices.Clone(keys)
	r := rand.New(rand.NewPCG(seed, seed))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func keyOf(i int) string {
	return fmt.Sprintf("t%d/s%d/%05d", i%3, i%7, i)
}

// testDropTenant drops acme, whose key starts those of acme.7 (acme made again) and
// acme-corp: theirs stay.
func testDropTenant(t *testing.T, b storage.Bucket) {
	ctx := testContext(t)
	gone := []string{"acme/web/2024/05/01/13/a.ndjson.zst", "acme/db/2024/05/02/00/b.ndjson.zst"}
	kept := []string{"acme-corp/web/2024/05/01/13/c.ndjson.zst", "acme.7/web/2024/05/01/13/d.ndjson.zst", "acmex"}
	putAll(t, b, append(append([]string{}, gone...), kept...))
	n, err := storage.DropTenant(ctx, b, "acme")
	require.NoError(t, err)
	require.Equal(t, len(gone), n)
	require.Empty(t, listAll(t, b, "acme/"))
	require.ElementsMatch(t, kept, listAll(t, b, ""))
	n, err = storage.DropTenant(ctx, b, "acme")
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = storage.DropTenant(ctx, b, "../x")
	require.Error(t, err)
}
