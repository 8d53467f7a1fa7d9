package fs_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/storage/fs"
)

// BenchmarkPut writes archive-sized objects, each synced with its directory.
func BenchmarkPut(b *testing.B) {
	for _, size := range []int{4 << 10, 512 << 10} {
		b.Run(fmt.Sprintf("size=%dKiB", size>>10), func(b *testing.B) {
			bk, err := fs.New(filepath.Join(b.TempDir(), "bucket"))
			require.NoError(b, err)
			data := make([]byte, size)
			ctx := b.Context()
			b.ReportAllocs()
			b.SetBytes(int64(size))
			n := 0
			for b.Loop() {
				// A new hour directory every 100 objects, as the archive makes them.
				key := fmt.Sprintf("acme/web/2024/05/01/%04d/%06d.ndjson.zst", n/100, n)
				if err := bk.Put(ctx, key, data); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// BenchmarkList lists a bucket of 10,000 objects in 100 directories.
func BenchmarkList(b *testing.B) {
	bk, err := fs.New(filepath.Join(b.TempDir(), "bucket"))
	require.NoError(b, err)
	ctx := b.Context()
	for i := range 10000 {
		require.NoError(b, bk.Put(ctx, fmt.Sprintf("t%d/s/%03d/%05d", i%2, i%100, i), nil))
	}
	b.ReportAllocs()
	keys := 0
	for b.Loop() {
		for _, err := range bk.List(ctx, "") {
			if err != nil {
				b.Fatal(err)
			}
			keys++
		}
	}
	b.ReportMetric(float64(keys)/b.Elapsed().Seconds(), "keys/s")
}
