package storagetest

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/storage"
)

// listKeys are chosen so that a walk of sorted directory entries, without care for the
// "/" that follows a directory name, yields them out of order ('-' and '.' sort before '/').
var listKeys = []string{
	"a/b",
	"a/b-x",
	"a/b.txt",
	"a/bc/d",
	"a/bc/e/f",
	"a/c",
	"a0",
	"b/a",
	"b-/a",
}

func testListOrder(t *testing.T, b storage.Bucket) {
	keys := slices.Clone(listKeys)
	keys[0] = "a/b/c" // "a/b" itself is in ListPrefix; a file system cannot hold both
	putAll(t, b, shuffled(keys, 1))
	want := slices.Clone(keys)
	slices.Sort(want)
	require.Equal(t, want, listAll(t, b, ""))
}

func testListPrefix(t *testing.T, b storage.Bucket) {
	putAll(t, b, shuffled(listKeys, 2))
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"a/b", "a/b-x", "a/b.txt", "a/bc/d", "a/bc/e/f", "a/c", "a0", "b-/a", "b/a"}},
		{"a", []string{"a/b", "a/b-x", "a/b.txt", "a/bc/d", "a/bc/e/f", "a/c", "a0"}},
		{"a/", []string{"a/b", "a/b-x", "a/b.txt", "a/bc/d", "a/bc/e/f", "a/c"}},
		{"a/b", []string{"a/b", "a/b-x", "a/b.txt", "a/bc/d", "a/bc/e/f"}},
		{"a/b/", []string{}},
		{"a/bc", []string{"a/bc/d", "a/bc/e/f"}},
		{"a/bc/", []string{"a/bc/d", "a/bc/e/f"}},
		{"a/bc/e", []string{"a/bc/e/f"}},
		{"a/bc/e/f", []string{"a/bc/e/f"}},
		{"a/bc/e/f/", []string{}},
		{"a/bcd", []string{}},
		{"b", []string{"b-/a", "b/a"}},
		{"b/", []string{"b/a"}},
		{"c", []string{}},
		{"zzz/yyy/", []string{}},
	}
	for _, tt := range tests {
		t.Run("prefix="+tt.prefix, func(t *testing.T) {
			require.Equal(t, tt.want, listAll(t, b, tt.prefix))
		})
	}
}

func testListEmpty(t *testing.T, b storage.Bucket) {
	for _, prefix := range []string{"", "a", "a/", "a/b/c"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			require.Empty(t, listAll(t, b, prefix))
		})
	}
}

// testListStop checks that a caller may stop ranging early: a Seq2 that yields after
// the loop body returned false makes the range statement panic.
func testListStop(t *testing.T, b storage.Bucket) {
	putAll(t, b, listKeys)
	for n := 1; n <= 3; n++ {
		var got []string
		for key, err := range b.List(testContext(t), "") {
			require.NoError(t, err)
			got = append(got, key)
			if len(got) == n {
				break
			}
		}
		require.Len(t, got, n)
	}
}
