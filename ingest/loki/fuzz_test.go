package loki

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/snappy"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

var fuzzLimits = Limits{MaxLineBytes: 32, MaxRecords: 16, MaxBodyBytes: 4096}

// checkRequest checks what every decoded request must hold, or that err is a proper one.
func checkRequest(t *testing.T, req *Request, err error) {
	t.Helper()
	if err != nil {
		var ie *ingest.Error
		require.True(t, errors.As(err, &ie), "error %v is not an *ingest.Error", err)
		require.Contains(t, []ingest.Kind{ingest.Invalid, ingest.TooLarge}, ie.Kind)
		require.Nil(t, req)
		return
	}
	require.LessOrEqual(t, len(req.Records)+req.Discarded, fuzzLimits.MaxRecords)
	require.Equal(t, req.Discarded > 0, req.DiscardErr != nil)
	n := 0
	for _, st := range req.Streams {
		require.NotEmpty(t, st.Labels)
		again, err := ParseLabels(formatLabels(st.Labels))
		require.NoError(t, err)
		require.Equal(t, st.Labels, again, "labels survive a round trip through their string form")
		for i, r := range st.Records {
			require.Same(t, &req.Records[n], &st.Records[i], "a stream's records are part of Records, in order")
			require.LessOrEqual(t, len(r.Data), fuzzLimits.MaxLineBytes)
			_, err := time.Parse(time.RFC3339Nano, r.Fields[TimestampField])
			require.NoError(t, err)
			for _, l := range st.Labels {
				require.Equal(t, l.Value, r.Fields[LabelPrefix+l.Name])
			}
			for k := range r.Fields {
				if k != TimestampField {
					name, ok := strings.CutPrefix(k, LabelPrefix)
					require.True(t, ok && name != "" && !strings.Contains(name, "."), "field %q", k)
				}
			}
			n++
		}
	}
	require.Equal(t, len(req.Records), n)
}

// jsonLines decodes the lines of a push with encoding/json, for comparison.
func jsonLines(t *testing.T, body []byte) []string {
	t.Helper()
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &top))
	var streams []map[string]json.RawMessage
	if raw, ok := top["streams"]; ok {
		require.NoError(t, json.Unmarshal(raw, &streams))
	}
	lines := []string{}
	for _, st := range streams {
		var values [][]json.RawMessage
		if raw, ok := st["values"]; ok {
			require.NoError(t, json.Unmarshal(raw, &values))
		}
		for _, v := range values {
			var line string
			require.NoError(t, json.Unmarshal(v[1], &line))
			lines = append(lines, line)
		}
	}
	return lines
}

// FuzzDecodeJSON checks the JSON decoder's invariants, and that the lines it accepts are
// the ones encoding/json reads.
func FuzzDecodeJSON(f *testing.F) {
	fixture, err := os.ReadFile("testdata/push.json")
	require.NoError(f, err)
	f.Add(fixture)
	for _, s := range []string{
		`{"streams":[{"stream":{"a":"b"},"values":[["1","x"],["2","y",{"k.v":"w"}]]}]}`,
		`{"streams":[{"stream":{"a":"b"},"values":[["1","\ud83d\ude00\ud800\\\"\/"]]}],"streams":null}`,
		`{"streams":[{"values":[["1","x"]],"stream":{"a":"b"},"values":[]}]}`,
		`{"streams":[{"stream":{"a":"b"},"values":[["99999999999999999999","x"]]}]}`,
		`{"streams":[{"stream":{"a-":"b"}}]}`, `[]`, `{`, `{"streams":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeJSON(body, fuzzLimits)
		checkRequest(t, req, err)
		if err != nil || req.Discarded > 0 || !utf8.Valid(body) {
			return
		}
		got := make([]string, len(req.Records))
		for i, r := range req.Records {
			got[i] = string(r.Data)
		}
		require.Equal(t, jsonLines(t, body), got)
	})
}

// FuzzDecodeProto checks the protobuf decoder's invariants on fuzzed protobuf (snappy-
// encoded here, so the fuzzer works on the message) and on fuzzed snappy bodies.
func FuzzDecodeProto(f *testing.F) {
	f.Add(pushProto(pbStream{labels: `{a="b", c="d\"e"}`, entries: []pbEntry{{sec: 1, line: "x", md: []Label{{"t.id", "1"}}}, {sec: 2, nanos: 5}}}))
	f.Add(pushProto(pbStream{labels: "{a=`b`}", labelsAfter: true, entries: []pbEntry{{noTS: true}}}))
	f.Add(pushProto(pbStream{labels: `{}`}, pbStream{labels: `{a="\u00e9"}`, entries: []pbEntry{{sec: -1, line: strings.Repeat("y", 40)}}}))
	f.Add([]byte{0x0a, 0x02, 0x08, 0x01})
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := DecodeProto(snappy.Encode(nil, raw), fuzzLimits)
		checkRequest(t, req, err)
		if err == nil {
			for _, r := range req.Records {
				require.Contains(t, string(raw), string(r.Data))
			}
		}
		req, err = DecodeProto(raw, fuzzLimits)
		checkRequest(t, req, err)
	})
}
