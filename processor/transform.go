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
	Events            int
	ParseFailures     int
	TimestampFailures int
}

// Transformer turns raw batches into event batches, keeping its buffers from batch to
// batch. It is not safe for concurrent use: give each worker its own.
type Transformer struct {
	sourceTypes *sourcetype.Registry
	doc         ecs.Document
	env         sourcetype.Env
	keys        []string
	failures    []error
	scratch     []byte
	// chunk holds documents; each event's source is a slice of it, never rewritten, so a
	// batch costs a few large allocations instead of one per event.
	chunk []byte
}

const chunkSize = 64 << 10

// NewTransformer returns a Transformer for the source types of r; nil means the built-in
// ones.
func NewTransformer(r *sourcetype.Registry) *Transformer {
	if r == nil {
		r = sourcetype.Builtin()
	}
	return &Transformer{sourceTypes: r}
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
	parser        sourcetype.Parser
	parsesMessage bool // parse a JSON record's message on top: not for json and text
	received      int64
	receivedJSON  string // received as a JSON string, formatted once per batch
}

// Process turns one raw batch into one event batch: one event per record, in order.
func (t *Transformer) Process(b *trollyv1.RawBatch) (*trollyv1.EventBatch, Stats, error) {
	bt, err := t.check(b)
	if err != nil {
		return nil, Stats{}, err
	}
	recs := b.GetRecords()
	ids := eventIDs(b.GetId(), len(recs))
	events := make([]trollyv1.Event, len(recs))
	out := &trollyv1.EventBatch{
		BatchId:  b.GetId(),
		TenantId: b.GetTenantId(),
		Stream:   b.GetStream(),
		Events:   make([]*trollyv1.Event, len(recs)),
	}
	var st Stats
	for i, rec := range recs {
		ev := &events[i]
		ev.Id = ids[i]
		ev.TimestampUnixNano = t.record(&bt, ids[i], rec, &st)
		ev.Source = t.keep(t.scratch)
		out.Events[i] = ev
	}
	st.Events = len(recs)
	return out, st, nil
}

func (t *Transformer) check(b *trollyv1.RawBatch) (batch, error) {
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
	p, ok := t.sourceTypes.Lookup(b.GetSourceType())
	if !ok {
		return batch{}, fmt.Errorf("batch %s: %w %q", b.GetId(), ErrUnknownSourceType, b.GetSourceType())
	}
	return batch{
		RawBatch:      b,
		parser:        p,
		parsesMessage: b.GetSourceType() != sourcetype.JSON && b.GetSourceType() != sourcetype.Text,
		received:      received.UnixNano(),
		receivedJSON:  `"` + received.UTC().Format(time.RFC3339Nano) + `"`,
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

// keep copies a document into the current chunk.
func (t *Transformer) keep(src []byte) []byte {
	if cap(t.chunk)-len(t.chunk) < len(src) {
		t.chunk = make([]byte, 0, max(chunkSize, len(src)))
	}
	start := len(t.chunk)
	t.chunk = append(t.chunk, src...)
	return t.chunk[start:len(t.chunk):len(t.chunk)]
}
