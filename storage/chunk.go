package storage

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

// ChunkSuffix ends the name of every archive chunk.
const ChunkSuffix = ".ndjson.zst"

// maxChunkDecoded bounds what ReadChunk inflates, against hostile or corrupt objects.
const maxChunkDecoded = 2 * maxChunkBytesLimit

// ErrBadChunkKey is returned by ParseChunkKey for a key outside the archive layout.
var ErrBadChunkKey = errors.New("not an archive chunk key")

// ChunkRef names one archive chunk: the events of one tenant's stream in one UTC hour.
type ChunkRef struct {
	Tenant string
	Stream string
	// Hour is the start of the hour, in UTC.
	Hour time.Time
	ID   ulid.ULID
}

// Key returns the object key of the chunk.
func (r ChunkRef) Key() string { return ChunkKey(r.Tenant, r.Stream, r.Hour, r.ID) }

// HourPrefix returns the key prefix of the chunks of stream in the UTC hour holding t:
// <tenant>/<stream>/<yyyy>/<mm>/<dd>/<hh>/.
func HourPrefix(tenantID, stream string, t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s/%s/%04d/%02d/%02d/%02d/", tenantID, stream, t.Year(), t.Month(), t.Day(), t.Hour())
}

// ChunkKey returns <tenant>/<stream>/<yyyy>/<mm>/<dd>/<hh>/<id>.ndjson.zst for the UTC
// hour holding hour.
func ChunkKey(tenantID, stream string, hour time.Time, id ulid.ULID) string {
	return HourPrefix(tenantID, stream, hour) + id.String() + ChunkSuffix
}

// ParseChunkKey is the inverse of ChunkKey; it accepts only the keys ChunkKey makes.
func ParseChunkKey(key string) (ChunkRef, error) {
	seg := strings.Split(key, "/")
	if len(seg) != 7 {
		return ChunkRef{}, fmt.Errorf("%w: %q: want 7 segments", ErrBadChunkKey, key)
	}
	if !tenant.ValidKey(seg[0]) || !tenant.ValidStreamName(seg[1]) {
		return ChunkRef{}, fmt.Errorf("%w: %q: bad tenant or stream", ErrBadChunkKey, key)
	}
	var n [4]int
	for i, width := range []int{4, 2, 2, 2} {
		v, err := strconv.Atoi(seg[2+i])
		if err != nil || len(seg[2+i]) != width || strings.Trim(seg[2+i], "0123456789") != "" {
			return ChunkRef{}, fmt.Errorf("%w: %q: bad date segment %q", ErrBadChunkKey, key, seg[2+i])
		}
		n[i] = v
	}
	hour := time.Date(n[0], time.Month(n[1]), n[2], n[3], 0, 0, 0, time.UTC)
	if hour.Year() != n[0] || int(hour.Month()) != n[1] || hour.Day() != n[2] || hour.Hour() != n[3] {
		return ChunkRef{}, fmt.Errorf("%w: %q: no such hour", ErrBadChunkKey, key)
	}
	name, ok := strings.CutSuffix(seg[6], ChunkSuffix)
	if !ok {
		return ChunkRef{}, fmt.Errorf("%w: %q: want suffix %s", ErrBadChunkKey, key, ChunkSuffix)
	}
	id, err := ulid.ParseStrict(name)
	if err != nil || id.String() != name {
		return ChunkRef{}, fmt.Errorf("%w: %q: bad chunk id", ErrBadChunkKey, key)
	}
	return ChunkRef{Tenant: seg[0], Stream: seg[1], Hour: hour, ID: id}, nil
}

// ReadChunk returns the NDJSON documents of a chunk, without their newlines, in the order
// they were archived. The documents share one buffer.
func ReadChunk(data []byte) ([][]byte, error) {
	return readChunk(data, maxChunkDecoded)
}

func readChunk(data []byte, limit uint64) ([][]byte, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(limit))
	if err != nil {
		return nil, fmt.Errorf("read chunk: %w", err)
	}
	defer dec.Close()
	raw, err := dec.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("read chunk: %w", err)
	}
	docs := make([][]byte, 0, bytes.Count(raw, []byte{'\n'})+1)
	for line := range bytes.SplitSeq(raw, []byte{'\n'}) {
		if len(line) > 0 {
			docs = append(docs, line[:len(line):len(line)])
		}
	}
	return docs, nil
}
