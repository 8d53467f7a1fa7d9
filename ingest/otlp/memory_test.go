package otlp

import (
	"bytes"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/trolly-logs/trolly/ingest"
)

// pbEmptyRecords is one resource of one scope of n empty log records, two bytes each.
func pbEmptyRecords(n int) []byte {
	var scope []byte
	for range n {
		scope = protowire.AppendTag(scope, 2, protowire.BytesType)
		scope = protowire.AppendVarint(scope, 0)
	}
	return wrapPB(1, wrapPB(2, scope))
}

// pbAttributes is one log record of n distinct attributes without values.
func pbAttributes(n int) []byte {
	var rec []byte
	for i := range n {
		var kv []byte
		kv = protowire.AppendTag(kv, 1, protowire.BytesType)
		kv = protowire.AppendString(kv, strconv.Itoa(i))
		rec = protowire.AppendTag(rec, 6, protowire.BytesType)
		rec = protowire.AppendBytes(rec, kv)
	}
	return wrapPB(1, wrapPB(2, wrapPB(2, rec)))
}

// pbNested is one log record whose body is a kvlist nested depth times.
func pbNested(depth int) []byte {
	var v []byte // AnyValue
	for range depth {
		kv := protowire.AppendTag(nil, 2, protowire.BytesType)
		kv = protowire.AppendBytes(kv, v)
		list := protowire.AppendTag(nil, 1, protowire.BytesType)
		list = protowire.AppendBytes(list, kv)
		v = protowire.AppendTag(nil, 6, protowire.BytesType)
		v = protowire.AppendBytes(v, list)
	}
	rec := protowire.AppendTag(nil, 5, protowire.BytesType)
	rec = protowire.AppendBytes(rec, v)
	return wrapPB(1, wrapPB(2, wrapPB(2, rec)))
}

// wrapPB makes b field num of a message, alone in it.
func wrapPB(num protowire.Number, b []byte) []byte {
	out := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(out, b)
}

func jsonEmptyRecords(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("{}")
	}
	b.WriteString("]}]}]}")
	return b.Bytes()
}

func jsonAttributes(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"key":"` + strconv.Itoa(i) + `"}`)
	}
	b.WriteString("]}]}]}]}")
	return b.Bytes()
}

func jsonNested(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":`)
	b.WriteString(strings.Repeat(`{"kvlistValue":{"values":[{"key":"k","value":`, depth))
	b.WriteString(`{"stringValue":"x"}`)
	b.WriteString(strings.Repeat(`}]}}`, depth))
	b.WriteString("}]}]}]}")
	return b.Bytes()
}

// allocated returns the bytes allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDecodeMemoryBounded decodes crafted worst cases of about 1 MB and requires that none
// allocates more than a small multiple of its body: a request over max_records is refused
// before its records are built. The worst accepted case is many tiny attributes, each a
// protobuf KeyValue and a map entry (about 22 bytes allocated per body byte).
func TestDecodeMemoryBounded(t *testing.T) {
	const (
		maxRecords = 1000
		factor     = 32      // allocated bytes per body byte
		slack      = 1 << 20 // the decoder's fixed costs
	)
	tests := []struct {
		name    string
		enc     Encoding
		body    func() []byte
		tooMany bool
	}{
		{"protobuf empty records", Protobuf, func() []byte { return pbEmptyRecords(500_000) }, true},
		{"json empty records", JSON, func() []byte { return jsonEmptyRecords(300_000) }, true},
		{"protobuf attributes", Protobuf, func() []byte { return pbAttributes(150_000) }, false},
		{"json attributes", JSON, func() []byte { return jsonAttributes(80_000) }, false},
		{"protobuf deep nesting", Protobuf, func() []byte { return pbNested(3000) }, false},
		{"json deep nesting", JSON, func() []byte { return jsonNested(3000) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body()
			var err error
			alloc := allocated(func() { _, err = Decode(body, tt.enc, Limits{MaxRecords: maxRecords}) })
			if tt.tooMany {
				var ie *ingest.Error
				require.True(t, errors.As(err, &ie), "%v", err)
				require.Equal(t, ingest.TooLarge, ie.Kind)
			} else {
				require.NoError(t, err)
			}
			require.LessOrEqual(t, alloc, uint64(factor*len(body)+slack),
				"%d bytes allocated for a body of %d bytes", alloc, len(body))
		})
	}
}

// BenchmarkDecodeFlood decodes 10 MB of empty log records, over max_records: B/op is what
// refusing it costs.
func BenchmarkDecodeFlood(b *testing.B) {
	for _, bc := range []struct {
		name string
		enc  Encoding
		body []byte
	}{{"protobuf", Protobuf, pbEmptyRecords(5_000_000)}, {"json", JSON, jsonEmptyRecords(3_300_000)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if _, err := Decode(bc.body, bc.enc, Limits{MaxRecords: 100_000}); err == nil {
					b.Fatal("a flood was accepted")
				}
			}
		})
	}
}
