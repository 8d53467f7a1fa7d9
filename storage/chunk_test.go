package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/oklog/ulid/v2"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/storage"
)

var testID = ulid.MustParseStrict("01HWZ3Q8V4K7N2M5P9R1S6T0XY")

func TestChunkKey(t *testing.T) {
	tests := []struct {
		name   string
		tenant string
		stream string
		hour   time.Time
		want   string
	}{
		{"utc", "acme", "web", time.Date(2024, 5, 1, 13, 42, 7, 0, time.UTC), "acme/web/2024/05/01/13/01HWZ3Q8V4K7N2M5P9R1S6T0XY.ndjson.zst"},
		{"zone converted", "acme", "web", time.Date(2024, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 2*3600)), "acme/web/2023/12/31/23/01HWZ3Q8V4K7N2M5P9R1S6T0XY.ndjson.zst"},
		{"tenant key", "acme.12", "web", time.Date(2024, 5, 1, 13, 0, 0, 0, time.UTC), "acme.12/web/2024/05/01/13/01HWZ3Q8V4K7N2M5P9R1S6T0XY.ndjson.zst"},
		{"epoch", "t-1", "sys_log", time.Unix(0, 0), "t-1/sys_log/1970/01/01/00/01HWZ3Q8V4K7N2M5P9R1S6T0XY.ndjson.zst"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := storage.ChunkKey(tt.tenant, tt.stream, tt.hour, testID)
			require.Equal(t, tt.want, key)
			require.NoError(t, storage.ValidateKey(key))
			ref, err := storage.ParseChunkKey(key)
			require.NoError(t, err)
			require.Equal(t, tt.tenant, ref.Tenant)
			require.Equal(t, tt.stream, ref.Stream)
			require.Equal(t, tt.hour.UTC().Truncate(time.Hour), ref.Hour)
			require.Equal(t, testID, ref.ID)
			require.Equal(t, key, ref.Key())
			require.True(t, len(key) > len(storage.HourPrefix(tt.tenant, tt.stream, tt.hour)))
			require.Equal(t, storage.HourPrefix(tt.tenant, tt.stream, tt.hour), key[:len(key)-len(testID.String()+storage.ChunkSuffix)])
		})
	}
}

func TestParseChunkKeyRejects(t *testing.T) {
	const id = "01HWZ3Q8V4K7N2M5P9R1S6T0XY"
	for _, key := range []string{
		"",
		"acme/web/2024/05/01/13",
		"acme/web/2024/05/01/13/" + id,
		"acme/web/2024/05/01/13/" + id + ".ndjson",
		"acme/web/2024/05/01/13/x/" + id + ".ndjson.zst",
		"/acme/web/2024/05/01/13/" + id + ".ndjson.zst",
		"Acme/web/2024/05/01/13/" + id + ".ndjson.zst",
		"acme./web/2024/05/01/13/" + id + ".ndjson.zst",
		"acme.01/web/2024/05/01/13/" + id + ".ndjson.zst",
		"acme.1.2/web/2024/05/01/13/" + id + ".ndjson.zst",
		"acme/we b/2024/05/01/13/" + id + ".ndjson.zst",
		"acme/web/24/05/01/13/" + id + ".ndjson.zst",
		"acme/web/2024/5/01/13/" + id + ".ndjson.zst",
		"acme/web/2024/13/01/13/" + id + ".ndjson.zst",
		"acme/web/2023/02/29/13/" + id + ".ndjson.zst",
		"acme/web/2024/05/01/24/" + id + ".ndjson.zst",
		"acme/web/+024/05/01/13/" + id + ".ndjson.zst",
		"acme/web/2024/-5/01/13/" + id + ".ndjson.zst",
		"acme/web/2024/05/01/13/01hwz3q8v4k7n2m5p9r1s6t0xy.ndjson.zst",
		"acme/web/2024/05/01/13/81HWZ3Q8V4K7N2M5P9R1S6T0XY.ndjson.zst",
		"acme/web/2024/05/01/13/01HWZ3Q8V4K7N2M5P9R1S6T0X.ndjson.zst",
		"acme/web/2024/05/01/13/01HWZ3Q8V4K7N2M5P9R1S6T0XU.ndjson.zst",
	} {
		t.Run(key, func(t *testing.T) {
			_, err := storage.ParseChunkKey(key)
			require.ErrorIs(t, err, storage.ErrBadChunkKey)
		})
	}
}

func encode(t testing.TB, data []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	require.NoError(t, err)
	defer enc.Close()
	return enc.EncodeAll(data, nil)
}

func TestReadChunk(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "chunk.ndjson"))
	require.NoError(t, err)
	byTool, err := os.ReadFile(filepath.Join("testdata", "chunk.ndjson.zst"))
	require.NoError(t, err)
	wantDocs := bytes.Split(bytes.TrimSuffix(want, []byte("\n")), []byte("\n"))

	tests := []struct {
		name string
		data []byte
		want [][]byte
	}{
		{"written by the zstd tool", byTool, wantDocs},
		{"written by klauspost", encode(t, want), wantDocs},
		{"two frames", append(encode(t, []byte("{\"a\":1}\n")), encode(t, []byte("{\"b\":2}\n"))...), [][]byte{[]byte(`{"a":1}`), []byte(`{"b":2}`)}},
		{"no final newline", encode(t, []byte("{}\n{}")), [][]byte{[]byte("{}"), []byte("{}")}},
		{"empty lines skipped", encode(t, []byte("\n{}\n\n")), [][]byte{[]byte("{}")}},
		{"empty chunk", encode(t, nil), [][]byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := storage.ReadChunk(tt.data)
			require.NoError(t, err)
			require.Equal(t, tt.want, docs)
		})
	}
}

func TestReadChunkRejects(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "chunk.ndjson.zst"))
	require.NoError(t, err)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 0xff
	for name, data := range map[string][]byte{
		"plain text": []byte("{\"a\":1}\n"),
		"truncated":  good[:len(good)/2],
		"corrupt":    corrupt,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := storage.ReadChunk(data)
			require.Error(t, err)
		})
	}
}
