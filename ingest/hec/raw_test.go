package hec

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

func TestDecodeRaw(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		params Params
		want   []string
		fields map[string]string
	}{
		{"lines", "a\nb\r\n\n  \r\nc", Params{}, []string{"a", "b", "c"}, nil},
		{"query params", "GET / 200\n", Params{Host: "web-1", Source: "/var/log/access.log", Sourcetype: "access_combined", Index: "web", Channel: "FE0ECFAD-13D5-401B-847D-77833BD77131"},
			[]string{"GET / 200"}, map[string]string{"host.name": "web-1", "log.file.path": "/var/log/access.log"}},
		{"json text stays text", `{"event":"a"}` + "\n", Params{Source: "app"}, []string{`{"event":"a"}`}, map[string]string{"event.provider": "app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := DecodeRaw([]byte(tt.body), tt.params, Limits{MaxLineBytes: 100, MaxRecords: 10})
			require.NoError(t, err)
			require.Equal(t, tt.params.Channel, req.Channel)
			require.Equal(t, tt.want, texts(req.Records))
			require.Len(t, req.Hints, len(tt.want))
			for i, r := range req.Records {
				require.False(t, r.JSON)
				require.Equal(t, tt.fields, r.Fields)
				require.Equal(t, Hint{Index: tt.params.Index, Sourcetype: tt.params.Sourcetype}, req.Hints[i])
			}
		})
	}
}

func TestDecodeRawErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		lim  Limits
		code Code
		kind ingest.Kind
		line int
		msg  string
	}{
		{"empty", "", Limits{}, NoData, ingest.Invalid, 0, "no data"},
		{"blank lines", "\n \r\n", Limits{}, NoData, ingest.Invalid, 0, "no data"},
		{"line too long", "ok\n" + strings.Repeat("x", 11), Limits{MaxLineBytes: 10}, InvalidDataFormat, ingest.TooLarge, 2, "11 bytes, over the limit of 10"},
		{"too many lines", "a\n\nb\nc\n", Limits{MaxRecords: 2}, InvalidDataFormat, ingest.TooLarge, 4, "limit of 2 records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeRaw([]byte(tt.body), Params{}, tt.lim)
			var he *Error
			require.True(t, errors.As(err, &he), "got %v", err)
			require.Equal(t, tt.code, he.Code)
			require.Equal(t, -1, he.Event)
			var ie *ingest.Error
			require.True(t, errors.As(err, &ie))
			require.Equal(t, tt.kind, ie.Kind)
			require.Equal(t, tt.line, ie.Line)
			require.Contains(t, err.Error(), tt.msg)
		})
	}
}

func texts(recs []ingest.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}
