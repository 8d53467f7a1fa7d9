package esbulk

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

var noLimits = Limits{MaxLineBytes: 1 << 20, MaxRecords: 10000}

// TestShippers decodes bodies shaped as each shipper sends them.
func TestShippers(t *testing.T) {
	tests := []struct {
		file    string
		records int
		index   string
	}{
		{"filebeat.ndjson", 2, "filebeat-8.19.0"},
		{"logstash.ndjson", 1, "logstash"},
		{"fluentbit.ndjson", 1, "fluent-bit"},
		{"rsyslog.ndjson", 1, "system"},
		{"syslogng.ndjson", 1, "syslog-ng"},
		{"vector.ndjson", 2, "vector-2026.11.21"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			req, err := Decode(body, "", noLimits)
			require.NoError(t, err)
			require.Len(t, req.Records, tt.records)
			require.Len(t, req.Items, tt.records)
			require.False(t, req.Errors())
			for i, r := range req.Records {
				require.True(t, r.JSON)
				require.True(t, strings.HasPrefix(string(r.Data), "{") && strings.HasSuffix(string(r.Data), "}"), string(r.Data))
				require.Equal(t, tt.index, req.Items[i].Index)
				require.Equal(t, i, req.Items[i].Record)
				require.Equal(t, http.StatusCreated, req.Items[i].Status)
			}
		})
	}
}

type itemWant struct {
	op     Op
	index  string
	id     string
	status int
	errTyp string
	data   string // the record, for accepted items
}

func TestItems(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		path  string
		limit int
		want  []itemWant
	}{
		{"index and create", "{\"index\":{\"_index\":\"a\"}}\n{\"m\":1}\n{\"create\":{\"_index\":\"b\",\"_id\":\"x1\"}}\n{\"m\":2}\n", "", 0,
			[]itemWant{{OpIndex, "a", "", 201, "", `{"m":1}`}, {OpCreate, "b", "x1", 201, "", `{"m":2}`}}},
		{"path index by default", "{\"index\":{}}\n{\"m\":1}\n{\"index\":{\"_index\":\"other\"}}\n{\"m\":2}", "logs", 0,
			[]itemWant{{OpIndex, "logs", "", 201, "", `{"m":1}`}, {OpIndex, "other", "", 201, "", `{"m":2}`}}},
		{"no final newline, crlf, blank lines", "\r\n{\"index\":{\"_index\":\"a\"}}\r\n\r\n  \n{\"m\":1}\r\n\n", "", 0,
			[]itemWant{{OpIndex, "a", "", 201, "", `{"m":1}`}}},
		{"escaped index and numeric id", `{"index":{"_index":"a\u0062c","_id":42}}` + "\n{}\n", "", 0,
			[]itemWant{{OpIndex, "abc", "42", 201, "", `{}`}}},
		{"metadata ignored", `{"index":{"_type":"_doc","pipeline":"p","dynamic_templates":{"a":"b"},"require_alias":false,"_index":"a"}}` + "\n{}\n", "", 0,
			[]itemWant{{OpIndex, "a", "", 201, "", `{}`}}},
		{"delete refused, no source", "{\"delete\":{\"_index\":\"a\",\"_id\":\"1\"}}\n{\"index\":{\"_index\":\"a\"}}\n{\"m\":1}\n", "", 0,
			[]itemWant{{OpDelete, "a", "1", 400, "illegal_argument_exception", ""}, {OpIndex, "a", "", 201, "", `{"m":1}`}}},
		{"update refused, source consumed", "{\"update\":{\"_index\":\"a\",\"_id\":\"1\"}}\n{\"doc\":{\"m\":0}}\n{\"index\":{\"_index\":\"a\"}}\n{\"m\":1}\n", "", 0,
			[]itemWant{{OpUpdate, "a", "1", 400, "illegal_argument_exception", ""}, {OpIndex, "a", "", 201, "", `{"m":1}`}}},
		{"missing index", "{\"index\":{}}\n{\"m\":1}\n", "", 0,
			[]itemWant{{OpIndex, "", "", 400, "action_request_validation_exception", ""}}},
		{"invalid index names", "{\"index\":{\"_index\":\"Upper\"}}\n{}\n{\"index\":{\"_index\":\"_x\"}}\n{}\n{\"index\":{\"_index\":\"a*b\"}}\n{}\n", "", 0,
			[]itemWant{{OpIndex, "Upper", "", 400, "invalid_index_name_exception", ""}, {OpIndex, "_x", "", 400, "invalid_index_name_exception", ""},
				{OpIndex, "a*b", "", 400, "invalid_index_name_exception", ""}}},
		{"bad documents", "{\"index\":{\"_index\":\"a\"}}\n[1,2]\n{\"index\":{\"_index\":\"a\"}}\n{\"m\":}\n{\"index\":{\"_index\":\"a\"}}\nplain text\n{\"index\":{\"_index\":\"a\"}}\n{\"ok\":true}\n", "", 0,
			[]itemWant{{OpIndex, "a", "", 400, "document_parsing_exception", ""}, {OpIndex, "a", "", 400, "document_parsing_exception", ""},
				{OpIndex, "a", "", 400, "document_parsing_exception", ""}, {OpIndex, "a", "", 201, "", `{"ok":true}`}}},
		{"document too large fails alone", "{\"index\":{\"_index\":\"a\"}}\n{\"m\":\"" + strings.Repeat("x", 40) + "\"}\n{\"index\":{\"_index\":\"a\"}}\n{\"m\":1}\n", "", 32,
			[]itemWant{{OpIndex, "a", "", 400, "illegal_argument_exception", ""}, {OpIndex, "a", "", 201, "", `{"m":1}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := noLimits
			if tt.limit > 0 {
				lim.MaxLineBytes = tt.limit
			}
			req, err := Decode([]byte(tt.body), tt.path, lim)
			require.NoError(t, err)
			require.Len(t, req.Items, len(tt.want))
			accepted := 0
			for i, w := range tt.want {
				it := req.Items[i]
				require.Equal(t, w.op, it.Op, "item %d", i)
				require.Equal(t, w.index, it.Index, "item %d", i)
				require.Equal(t, w.id, it.ID, "item %d", i)
				require.Equal(t, w.status, it.Status, "item %d", i)
				if w.errTyp != "" {
					require.NotNil(t, it.Error, "item %d", i)
					require.Equal(t, w.errTyp, it.Error.Type, "item %d", i)
					require.NotEmpty(t, it.Error.Reason)
					require.Equal(t, -1, it.Record)
					continue
				}
				require.Nil(t, it.Error, "item %d", i)
				require.Equal(t, accepted, it.Record)
				require.Equal(t, w.data, string(req.Records[it.Record].Data))
				accepted++
			}
			require.Len(t, req.Records, accepted)
		})
	}
}

func TestRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		lim  Limits
		kind ingest.Kind
		line int
		msg  string
	}{
		{"empty", "", noLimits, ingest.Invalid, 0, "request body is required"},
		{"blank only", "\n \r\n", noLimits, ingest.Invalid, 0, "request body is required"},
		{"action not json", "{\"index\":{}}\n{}\nhello\n", noLimits, ingest.Invalid, 3, "malformed action/metadata line [3]"},
		{"action not object", "[1]\n{}\n", noLimits, ingest.Invalid, 1, "expected START_OBJECT"},
		{"unknown action", "{\"upsert\":{}}\n{}\n", noLimits, ingest.Invalid, 1, "expected one of [create, delete, index, update] but found [upsert]"},
		{"empty action", "{}\n{}\n", noLimits, ingest.Invalid, 1, "expected FIELD_NAME"},
		{"two actions on a line", "{\"index\":{},\"create\":{}}\n{}\n", noLimits, ingest.Invalid, 1, "expected END_OBJECT"},
		{"action value not object", "{\"index\":\"a\"}\n{}\n", noLimits, ingest.Invalid, 1, "expected START_OBJECT"},
		{"index not a string", "{\"index\":{\"_index\":1}}\n{}\n", noLimits, ingest.Invalid, 1, "[_index] must be a string"},
		{"missing source", "{\"index\":{\"_index\":\"a\"}}\n{}\n{\"create\":{\"_index\":\"a\"}}\n", noLimits, ingest.Invalid, 3, "has no source line"},
		{"too many actions", strings.Repeat("{\"index\":{\"_index\":\"a\"}}\n{}\n", 3), Limits{MaxLineBytes: 100, MaxRecords: 2}, ingest.TooLarge, 5, "more than 2 actions"},
		{"action line too long", "{\"index\":{\"_index\":\"" + strings.Repeat("a", 50) + "\"}}\n{}\n", Limits{MaxLineBytes: 32}, ingest.TooLarge, 1, "over the limit of 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Decode([]byte(tt.body), "", tt.lim)
			require.Nil(t, req)
			var ie *ingest.Error
			require.True(t, errors.As(err, &ie), "got %v", err)
			require.Equal(t, tt.kind, ie.Kind)
			require.Equal(t, tt.line, ie.Line)
			require.Contains(t, ie.Error(), tt.msg)
		})
	}
}

func TestRecordsAliasBody(t *testing.T) {
	body := []byte(strings.Repeat("{\"index\":{\"_index\":\"logs\"}}\n{\"m\":1}\n", 3))
	req, err := Decode(body, "", noLimits)
	require.NoError(t, err)
	require.Len(t, req.Records, 3)
	body[len(body)-3] = '2' // the last record's digit
	require.JSONEq(t, `{"m":2}`, string(req.Records[2].Data))
}
