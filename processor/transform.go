package processor

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/pipeline"
	"github.com/trolly-logs/trolly/processor/sourcetype"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// ECSVersion is the ECS version the documents follow.
const ECSVersion = "8.17.0"

var (
	// ErrUnknownSourceType is returned for a batch whose source type has no parser. The
	// gateway checks streams, so it means the configuration changed: the batch is poison.
	ErrUnknownSourceType = errors.New("unknown source type")
	// ErrInvalidBatch is returned for a batch without id, tenant, stream or a usable
	// received_at; it cannot be turned into events and is poison.
	ErrInvalidBatch = errors.New("invalid raw batch")
)

// Stats counts what one batch gave.
type Stats struct {
	// Events counts the events made, duplicates included.
	Events            int
	ParseFailures     int
	TimestampFailures int
	// Clamped counts events whose time was too far from their receipt, and replaced.
	Clamped int
	// Joined counts records joined to the one before them (multiline, partial lines).
	Joined int
	// Dropped counts events a pipeline dropped.
	Dropped int
}

// Transformer turns raw batches into event batches, keeping its buffers from batch to
// batch. It is not safe for concurrent use: give each worker its own.
type Transformer struct {
	plain    *plainStreams
	doc      ecs.Document
	env      sourcetype.Env
	keys     []string
	failures []error
	// badWireTime is a transport's @timestamp that could not be read; a failure only when
	// the line gives no time either.
	badWireTime string
	// chunk holds documents; each event's source is a slice of it, never rewritten, so a
	// batch costs a few large allocations instead of one per event.
	chunk []byte
	// joined holds the lines of the records of the event being made.
	joined []byte
	lines  [][]byte
	out    *trollyv1.EventBatch
	slab   []trollyv1.Event
	stats  Stats
	// cur and curTS are the batch and time of the event a pipeline runs on, for copyFn.
	cur    *batch
	curTS  int64
	copyFn func(pipeline.Copy)
}

const chunkSize = 64 << 10

// NewTransformer returns a Transformer for the source types of r; nil means the built-in
// ones.
func NewTransformer(r *sourcetype.Registry) *Transformer {
	t := &Transformer{plain: newPlainStreams(r, false)}
	t.copyFn = t.emitCopy
	return t
}

// Process turns one raw batch into one event batch with the built-in source types. Use a
// Transformer to reuse memory across batches.
func Process(b *trollyv1.RawBatch) (*trollyv1.EventBatch, error) {
	out, _, err := NewTransformer(nil).Process(b)
	return out, err
}

// batch is what every record of a raw batch shares.
type batch struct {
	*trollyv1.RawBatch
	*Stream
	received     int64
	receivedJSON string // received as a JSON string, formatted once per batch
}

// Process turns one raw batch into one event batch by its source type alone: no stream
// settings, and no bounds on event times, so that a parser's reading shows as it is.
func (t *Transformer) Process(b *trollyv1.RawBatch) (*trollyv1.EventBatch, Stats, error) {
	st, err := t.plain.get(b.GetSourceType())
	if err != nil {
		return nil, Stats{}, fmt.Errorf("batch %s: %w %q", b.GetId(), ErrUnknownSourceType, b.GetSourceType())
	}
	return t.ProcessStream(b, st)
}

// ProcessStream turns one raw batch into one event batch, parsed as st says: one event per
// record, in order, except where records are joined (multiline, partial lines), dropped or
// duplicated by the pipeline. st must have the batch's source type.
func (t *Transformer) ProcessStream(b *trollyv1.RawBatch, st *Stream) (*trollyv1.EventBatch, Stats, error) {
	bt, err := t.check(b, st)
	if err != nil {
		return nil, Stats{}, err
	}
	recs := b.GetRecords()
	ids := eventIDs(b.GetId(), len(recs))
	t.slab = make([]trollyv1.Event, len(recs))
	t.out = &trollyv1.EventBatch{
		BatchId:   b.GetId(),
		TenantId:  b.GetTenantId(),
		TenantKey: b.GetTenantKey(),
		Stream:    b.GetStream(),
		Events:    make([]*trollyv1.Event, 0, len(recs)),
	}
	t.stats = Stats{}
	t.groups(recs, st, func(first, last int, multiline bool) {
		data := recs[first].GetData()
		if last > first {
			data = t.join(recs[first : last+1])
			t.stats.Joined += last - first
		}
		t.record(&bt, first, ids[first], recs[first], data, multiline)
	})
	out, stats := t.out, t.stats
	t.out, t.slab = nil, nil
	return out, stats, nil
}

func (t *Transformer) check(b *trollyv1.RawBatch, st *Stream) (batch, error) {
	switch {
	case b.GetId() == "":
		return batch{}, fmt.Errorf("%w: no id", ErrInvalidBatch)
	case b.GetTenantId() == "":
		return batch{}, fmt.Errorf("%w %s: no tenant", ErrInvalidBatch, b.GetId())
	case b.GetStream() == "":
		return batch{}, fmt.Errorf("%w %s: no stream", ErrInvalidBatch, b.GetId())
	case !utf8.ValidString(b.GetId() + b.GetTenantId() + b.GetStream()):
		// protobuf refuses such strings already; a direct caller may not have.
		return batch{}, fmt.Errorf("%w: id, tenant or stream is not valid UTF-8", ErrInvalidBatch)
	}
	ra := b.GetReceivedAt()
	if err := ra.CheckValid(); err != nil {
		return batch{}, fmt.Errorf("%w %s: received_at: %w", ErrInvalidBatch, b.GetId(), err)
	}
	received := ra.AsTime()
	if received.Before(time.Unix(0, math.MinInt64)) || received.After(time.Unix(0, math.MaxInt64)) {
		return batch{}, fmt.Errorf("%w %s: received_at %s out of range", ErrInvalidBatch, b.GetId(), received)
	}
	if st == nil || st.sourceType != b.GetSourceType() {
		return batch{}, fmt.Errorf("batch %s: %w %q", b.GetId(), ErrUnknownSourceType, b.GetSourceType())
	}
	return batch{
		RawBatch:     b,
		Stream:       st,
		received:     received.UnixNano(),
		receivedJSON: `"` + received.UTC().Format(time.RFC3339Nano) + `"`,
	}, nil
}

// eventIDs returns "<id>-<i>" for every record, cut from one string.
func eventIDs(id string, n int) []string {
	var sb strings.Builder
	sb.Grow(n * (len(id) + 6))
	ends := make([]int, n)
	var num [20]byte
	for i := range n {
		sb.WriteString(id)
		sb.WriteByte('-')
		sb.Write(strconv.AppendInt(num[:0], int64(i), 10))
		ends[i] = sb.Len()
	}
	all := sb.String()
	ids := make([]string, n)
	start := 0
	for i, end := range ends {
		ids[i] = all[start:end]
		start = end
	}
	return ids
}

// minChunkRoom is the room a chunk keeps for the next document; a larger one grows the
// chunk, which moves none of the documents already made (they keep the old array).
const minChunkRoom = 8 << 10

// encode writes the document into the current chunk and returns its bytes.
func (t *Transformer) encode() []byte {
	if cap(t.chunk)-len(t.chunk) < minChunkRoom {
		t.chunk = make([]byte, 0, chunkSize)
	}
	start := len(t.chunk)
	t.chunk = t.doc.AppendJSON(t.chunk)
	return t.chunk[start:len(t.chunk):len(t.chunk)]
}
