package loki

import (
	"math"
	"strings"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/trolly-logs/trolly/ingest"
)

func TestDecodeProto(t *testing.T) {
	body := snappyPush(
		pbStream{labels: `{service_name="checkout", env="prod"}`, entries: []pbEntry{
			{sec: 1714557600, line: "order 1 shipped"},
			{sec: 1714557600, nanos: 123456789, line: "slow", md: []Label{{"trace_id", "0242ac120002"}, {"k8s.pod", "web-1"}}},
		}},
		pbStream{labels: `{job="varlogs"}`, labelsAfter: true, entries: []pbEntry{{sec: 1714557601, line: "second stream"}}},
		pbStream{labels: `{job="empty"}`},
	)
	for _, ct := range []string{"application/x-protobuf", ""} {
		req, err := Decode(ct, body, Limits{MaxLineBytes: 100, MaxRecords: 10, MaxBodyBytes: 1 << 20})
		require.NoError(t, err)
		require.Equal(t, []got{
			{"order 1 shipped", map[string]string{"labels.env": "prod", "labels.service_name": "checkout", "@timestamp": "2024-05-01T10:00:00Z"}},
			{"slow", map[string]string{
				"labels.env": "prod", "labels.service_name": "checkout", "@timestamp": "2024-05-01T10:00:00.123456789Z",
				"labels.trace_id": "0242ac120002", "labels.k8s_pod": "web-1",
			}},
			{"second stream", map[string]string{"labels.job": "varlogs", "@timestamp": "2024-05-01T10:00:01Z"}},
		}, gotRecords(t, req))
		require.Len(t, req.Streams, 3)
		require.Equal(t, []Label{{"env", "prod"}, {"service_name", "checkout"}}, req.Streams[0].Labels)
		require.Len(t, req.Streams[0].Records, 2)
		require.Equal(t, "second stream", string(req.Streams[1].Records[0].Data))
		require.Empty(t, req.Streams[2].Records)
	}
}

func TestDecodeProtoUnknownFields(t *testing.T) {
	// A PushRequest.format (2) and an EntryAdapter.parsed (4) field are skipped.
	entry := pbEntry{sec: 1, line: "x"}.marshal()
	entry = appendMsg(entry, 4, appendStr(appendStr(nil, 1, "p"), 2, "q"))
	stream := appendMsg(appendStr(nil, fieldStreamLabels, `{a="b"}`), fieldStreamEntries, entry)
	raw := appendStr(appendMsg(nil, fieldPushStreams, stream), 2, "loki")
	raw = protowire.AppendTag(raw, 9, protowire.Fixed64Type)
	raw = protowire.AppendFixed64(raw, 7)
	req, err := DecodeProto(snappy.Encode(nil, raw), noLimits)
	require.NoError(t, err)
	require.Equal(t, []got{{"x", map[string]string{"labels.a": "b", "@timestamp": "1970-01-01T00:00:01Z"}}}, gotRecords(t, req))
}

func TestDecodeProtoErrors(t *testing.T) {
	one := func(e pbEntry) []byte { return snappyPush(pbStream{labels: `{a="b"}`, entries: []pbEntry{e}}) }
	wrongType := appendMsg(nil, fieldPushStreams, protowire.AppendVarint(protowire.AppendTag(nil, fieldStreamLabels, protowire.VarintType), 1))
	tests := []struct {
		name string
		body []byte
		lim  Limits
		kind ingest.Kind
		msg  string
	}{
		{"not snappy", []byte("\xff\xff\xff\xff\xff\xff"), noLimits, ingest.Invalid, "decode snappy"},
		{"corrupt snappy", append(snappy.Encode(nil, []byte("hello hello hello")), 1, 2, 3)[:6], noLimits, ingest.Invalid, "decode snappy"},
		{"truncated protobuf", snappy.Encode(nil, pushProto(pbStream{labels: `{a="b"}`})[:5]), noLimits, ingest.Invalid, "unexpected EOF"},
		{"streams not a message", snappy.Encode(nil, protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 5)), noLimits, ingest.Invalid, "PushRequest.streams: unexpected wire type"},
		{"labels not a string", snappy.Encode(nil, wrongType), noLimits, ingest.Invalid, "stream 1: decode StreamAdapter.labels"},
		{"bad label string", snappyPush(pbStream{labels: `{a=b}`}), noLimits, ingest.Invalid, `stream 1: error parsing labels "{a=b}" with error: at offset 3: expected a quoted label value`},
		{"no labels", snappyPush(pbStream{labels: `{}`}), noLimits, ingest.Invalid, "at least one label pair is required"},
		{"duplicate labels", snappyPush(pbStream{labels: `{a="1", a="2"}`}), noLimits, ingest.Invalid, `duplicate label name "a"`},
		{"no timestamp", one(pbEntry{noTS: true, line: "x"}), noLimits, ingest.Invalid, "stream 1 entry 1: decode EntryAdapter: the entry has no timestamp"},
		{"nanos out of range", one(pbEntry{sec: 1, nanos: 1e9}), noLimits, ingest.Invalid, "nanos out of range"},
		{"negative nanos", one(pbEntry{sec: 1, nanos: -1}), noLimits, ingest.Invalid, "nanos out of range"},
		{"year 2300", one(pbEntry{sec: 10_500_000_000}), noLimits, ingest.Invalid, "years 1678 to 2262"},
		{"year 1600", one(pbEntry{sec: -11_700_000_000}), noLimits, ingest.Invalid, "years 1678 to 2262"},
		{"decoded body too large", one(pbEntry{sec: 1, line: strings.Repeat("x", 100)}), Limits{MaxBodyBytes: 50}, ingest.TooLarge, "over the limit of 50 bytes"},
		{"too many records", snappyPush(pbStream{labels: `{a="b"}`, entries: []pbEntry{{sec: 1}, {sec: 2}}}), Limits{MaxRecords: 1}, ingest.TooLarge, "more than 1 entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := DecodeProto(tt.body, tt.lim)
			require.Nil(t, req)
			requireIngestError(t, err, tt.kind, tt.msg)
		})
	}
}

func TestProtoTimeBounds(t *testing.T) {
	const second = int64(1e9)
	maxSec, maxNanos, minSec := math.MaxInt64/second, math.MaxInt64%second, math.MinInt64/second
	for _, tt := range []struct {
		sec, nanos int64
		ok         bool
	}{
		{maxSec, maxNanos, true},
		{maxSec, maxNanos + 1, false},
		{maxSec + 1, 0, false},
		{minSec, 0, true},
		{minSec - 1, 999_999_999, false},
	} {
		ts := pbEntry{sec: tt.sec, nanos: tt.nanos}.marshal()
		_, _, n := protowire.ConsumeTag(ts)
		msg, _ := protowire.ConsumeBytes(ts[n:])
		ns, err := protoTime(msg)
		if tt.ok {
			require.NoError(t, err)
			require.Equal(t, tt.sec*1e9+tt.nanos, ns)
		} else {
			require.Error(t, err)
		}
	}
}

func TestDecodeProtoDiscardsLongLines(t *testing.T) {
	body := snappyPush(pbStream{labels: `{app="a"}`, entries: []pbEntry{{sec: 1, line: "ok"}, {sec: 2, line: strings.Repeat("x", 11)}}})
	req, err := DecodeProto(body, Limits{MaxLineBytes: 10})
	require.NoError(t, err)
	require.Len(t, req.Records, 1)
	require.Equal(t, 1, req.Discarded)
	require.Contains(t, req.DiscardErr.Error(), "stream 1 entry 2: max entry size 10 bytes exceeded")
}

// TestDecodeNamesContentType: a body that is not snappy, sent as anything but JSON, is
// refused with its Content-Type named, not with the snappy decoder's complaint alone.
func TestDecodeNamesContentType(t *testing.T) {
	body := []byte(`{"streams":[{"stream":{"job":"app"},"values":[["1","line"]]}]}`)
	tests := []struct{ contentType, want string }{
		{"text/plain", `Content-Type "text/plain": expected application/x-protobuf (snappy) or application/json`},
		{"", `Content-Type "": expected application/x-protobuf (snappy) or application/json`},
		{"application/x-protobuf", "decode snappy"},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			_, err := Decode(tt.contentType, body, Limits{})
			var ie *ingest.Error
			require.ErrorAs(t, err, &ie)
			require.Equal(t, ingest.Invalid, ie.Kind)
			require.Contains(t, err.Error(), tt.want)
		})
	}
	req, err := Decode("application/json; charset=utf-8", body, Limits{})
	require.NoError(t, err)
	require.Len(t, req.Records, 1)
}
