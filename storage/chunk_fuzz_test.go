package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
)

func FuzzParseChunkKey(f *testing.F) {
	for _, seed := range []string{
		"acme/web/2024/05/01/13/01HWZ3Q8V4K7N2M5P9R1S6T0XY.ndjson.zst",
		"t/s/1970/01/01/00/00000000000000000000000000.ndjson.zst",
		"acme/web/2024/02/30/13/01HWZ3Q8V4K7N2M5P9R1S6T0XY.ndjson.zst",
		"acme/web/+024/05/01/13/01HWZ3Q8V4K7N2M5P9R1S6T0XY.ndjson.zst",
		"acme//2024/05/01/13/x.ndjson.zst",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		ref, err := ParseChunkKey(key)
		if err != nil {
			require.ErrorIs(t, err, ErrBadChunkKey)
			return
		}
		require.Equal(t, key, ref.Key(), "only keys ChunkKey makes parse")
		require.NoError(t, ValidateKey(key))
	})
}

// fuzzChunkLimit keeps each run fast: a few bytes of zstd can claim a large output.
const fuzzChunkLimit = 64 << 10

func FuzzReadChunk(f *testing.F) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	require.NoError(f, err)
	defer enc.Close()
	sample, err := os.ReadFile(filepath.Join("testdata", "chunk.ndjson.zst"))
	require.NoError(f, err)
	f.Add(sample)
	f.Add(enc.EncodeAll([]byte("{\"a\":1}\n{\"b\":2}\n"), nil))
	f.Add(enc.EncodeAll(nil, nil))
	f.Add([]byte("not zstd"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := readChunk(data, fuzzChunkLimit)
		if err != nil {
			return
		}
		for _, d := range docs {
			require.NotEmpty(t, d)
			require.Equal(t, -1, bytes.IndexByte(d, '\n'))
		}
		// What was read writes back to the same documents.
		var ndjson []byte
		for _, d := range docs {
			ndjson = appendLine(ndjson, d)
		}
		again, err := readChunk(enc.EncodeAll(ndjson, nil), fuzzChunkLimit)
		require.NoError(t, err)
		require.Equal(t, docs, again)
	})
}
