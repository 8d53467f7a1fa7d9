package hec

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

const fuzzLine, fuzzRecords = 64, 8

// FuzzDecodeEvents checks that decoding never panics, that errors are *Error over an
// *ingest.Error with the events before the bad one kept, that every record is within the
// limits, and, with encoding/json as the oracle, that accepted bodies are JSON objects whose
// text events decode to the same bytes.
func FuzzDecodeEvents(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"event":"a\u00e9\ud83d\ude00","time":"1714557600.5","fields":{"a.b":["x",1],"n":null}}{"event":{"x":[]}}`,
		`{"event":""}`, `{"event":null,"time":-1}`, `[{"event":"a"}]`, `{"event":"\ud800\u0041"}`, "{\"event\":\"a\"}\r\n{}",
		`{"event":1e400,"time":1e400}`, `{"event":"x","host":"h","source":"/p","index":"i","sourcetype":"s"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeEvents(body, Params{Host: "d"}, Limits{MaxLineBytes: fuzzLine, MaxRecords: fuzzRecords})
		require.NotNil(t, req)
		require.Len(t, req.Hints, len(req.Records))
		checkRecords(t, req.Records)
		if err != nil {
			he := checkError(t, err)
			if he.Event >= 0 {
				require.Len(t, req.Records, he.Event, "the events before the bad one are kept")
			}
			return
		}
		require.NotEmpty(t, req.Records)
		dec := json.NewDecoder(bytes.NewReader(body))
		for i, r := range req.Records {
			var obj map[string]json.RawMessage
			require.NoError(t, dec.Decode(&obj), "event %d", i)
			raw := obj["event"]
			if r.JSON {
				require.JSONEq(t, string(raw), string(r.Data))
			} else if raw[0] == '"' && utf8.Valid(raw) {
				var s string
				require.NoError(t, json.Unmarshal(raw, &s))
				require.Equal(t, s, string(r.Data))
			}
			for k := range r.Fields {
				require.True(t, strings.HasPrefix(k, "labels.") || knownField[k], "field %q", k)
			}
		}
		var extra json.RawMessage
		require.ErrorIs(t, dec.Decode(&extra), io.EOF)
	})
}

var knownField = map[string]bool{"@timestamp": true, "host.name": true, "log.file.path": true, "event.provider": true}

// FuzzDecodeRaw checks that raw decoding never panics and keeps every record a non-blank
// line of the body within the limits.
func FuzzDecodeRaw(f *testing.F) {
	for _, s := range []string{"a\nb", "a\r\n\r\nb\r\n", "\n \n", strings.Repeat("x", 70), "1\n2\n3\n4\n5\n6\n7\n8\n9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeRaw(body, Params{Index: "i"}, Limits{MaxLineBytes: fuzzLine, MaxRecords: fuzzRecords})
		require.NotNil(t, req)
		require.Len(t, req.Hints, len(req.Records))
		checkRecords(t, req.Records)
		if err != nil {
			_ = checkError(t, err)
			return
		}
		for _, r := range req.Records {
			require.NotContains(t, string(r.Data), "\n")
			require.True(t, bytes.Contains(body, r.Data))
		}
	})
}

func checkRecords(t *testing.T, recs []ingest.Record) {
	require.LessOrEqual(t, len(recs), fuzzRecords)
	for _, r := range recs {
		require.LessOrEqual(t, len(r.Data), fuzzLine)
		require.NotEmpty(t, bytes.TrimSpace(r.Data))
		if r.JSON {
			require.True(t, json.Valid(r.Data))
			require.Equal(t, byte('{'), r.Data[0])
		}
	}
}

func checkError(t *testing.T, err error) *Error {
	var he *Error
	require.True(t, errors.As(err, &he), "got %T %v", err, err)
	var ie *ingest.Error
	require.True(t, errors.As(err, &ie))
	require.Contains(t, []ingest.Kind{ingest.Invalid, ingest.TooLarge}, ie.Kind)
	require.GreaterOrEqual(t, he.Event, -1)
	require.Contains(t, []Code{NoData, InvalidDataFormat, EventRequired, EventBlank, IndexedFieldsError}, he.Code)
	return he
}
