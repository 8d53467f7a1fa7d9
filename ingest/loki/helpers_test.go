package loki

import (
	"errors"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/trolly-logs/trolly/ingest"
)

// pbEntry and pbStream describe a push built to grafana/loki's push.proto.
type pbEntry struct {
	sec, nanos int64
	noTS       bool
	line       string
	md         []Label
}

type pbStream struct {
	labels      string
	entries     []pbEntry
	labelsAfter bool // write the labels after the entries
}

func appendMsg(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendStr(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func (e pbEntry) marshal() []byte {
	var b []byte
	if !e.noTS {
		var ts []byte
		ts = protowire.AppendTag(ts, fieldSeconds, protowire.VarintType)
		ts = protowire.AppendVarint(ts, uint64(e.sec))
		ts = protowire.AppendTag(ts, fieldNanos, protowire.VarintType)
		ts = protowire.AppendVarint(ts, uint64(e.nanos))
		b = appendMsg(b, fieldEntryTimestamp, ts)
	}
	b = appendStr(b, fieldEntryLine, e.line)
	for _, m := range e.md {
		b = appendMsg(b, fieldEntryMetadata, appendStr(appendStr(nil, fieldPairName, m.Name), fieldPairValue, m.Value))
	}
	return b
}

func (s pbStream) marshal() []byte {
	var b []byte
	if !s.labelsAfter {
		b = appendStr(b, fieldStreamLabels, s.labels)
	}
	for _, e := range s.entries {
		b = appendMsg(b, fieldStreamEntries, e.marshal())
	}
	// hash = 3, which decoders must skip.
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, 12345)
	if s.labelsAfter {
		b = appendStr(b, fieldStreamLabels, s.labels)
	}
	return b
}

func pushProto(streams ...pbStream) []byte {
	var b []byte
	for _, s := range streams {
		b = appendMsg(b, fieldPushStreams, s.marshal())
	}
	return b
}

func snappyPush(streams ...pbStream) []byte {
	return snappy.Encode(nil, pushProto(streams...))
}

// got is a record in a form tests compare.
type got struct {
	Line   string
	Fields map[string]string
}

func gotRecords(t *testing.T, req *Request) []got {
	t.Helper()
	out := make([]got, len(req.Records))
	for i, r := range req.Records {
		require.False(t, r.JSON)
		out[i] = got{string(r.Data), r.Fields}
	}
	return out
}

func requireIngestError(t *testing.T, err error, kind ingest.Kind, msg string) {
	t.Helper()
	var ie *ingest.Error
	require.True(t, errors.As(err, &ie), "got %v", err)
	require.Equal(t, kind, ie.Kind)
	require.Contains(t, ie.Error(), msg)
}

var noLimits = Limits{}
