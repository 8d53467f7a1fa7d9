package esbulk

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

func TestDecodeDoc(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		op        Op
		index, id string
		record    string // the record, "" for a failed item
		status    int
		errTyp    string
	}{
		{"one line", `{"message":"up"}` + "\n", OpIndex, "app", "", `{"message":"up"}`, 201, ""},
		{"pretty printed", "{\n  \"message\": \"up\",\n  \"n\": [1, 2]\n}\n", OpCreate, "app", "7", `{"message":"up","n":[1,2]}`, 201, ""},
		{"bad index name", `{"message":"up"}`, OpIndex, "App", "", "", 400, "invalid_index_name_exception"},
		{"array", `[1]`, OpIndex, "app", "1", "", 400, "document_parsing_exception"},
		{"two documents", "{\"a\":1}\n{\"b\":2}", OpIndex, "app", "1", "", 400, "document_parsing_exception"},
		{"truncated", `{"a":`, OpIndex, "app", "1", "", 400, "document_parsing_exception"},
		{"id too long", `{"a":1}`, OpCreate, "app", strings.Repeat("i", 513), "", 400, "action_request_validation_exception"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := DecodeDoc([]byte(tt.body), tt.op, tt.index, tt.id, noLimits)
			require.NoError(t, err)
			require.Len(t, req.Items, 1)
			it := req.Items[0]
			require.Equal(t, tt.status, it.Status)
			require.Equal(t, tt.op, it.Op)
			require.Equal(t, tt.id, it.ID)
			if tt.record == "" {
				require.Equal(t, -1, it.Record)
				require.Equal(t, tt.errTyp, it.Error.Type)
				require.Empty(t, req.Records)
				resp := req.DocResponse()
				require.Equal(t, tt.status, resp.Status)
				require.Contains(t, string(resp.Body), `"type":"`+tt.errTyp+`"`)
				return
			}
			require.Equal(t, 0, it.Record)
			require.Equal(t, []ingest.Record{{Data: []byte(tt.record), JSON: true}}, req.Records)
			require.Equal(t, tt.index, it.Index)
		})
	}
}

func TestDecodeDocRefused(t *testing.T) {
	tests := []struct {
		name, body string
		kind       ingest.Kind
		status     int
		errTyp     string
	}{
		{"empty", " \n", ingest.Invalid, 400, "parse_exception"},
		{"over the line limit", `{"message":"` + strings.Repeat("x", 60) + `"}`, ingest.TooLarge, 413, "illegal_argument_exception"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := DecodeDoc([]byte(tt.body), OpIndex, "app", "", Limits{MaxLineBytes: 64})
			require.Nil(t, req)
			var ie *ingest.Error
			require.True(t, errors.As(err, &ie))
			require.Equal(t, tt.kind, ie.Kind)
			resp := FromError(err)
			require.Equal(t, tt.status, resp.Status)
			require.Contains(t, string(resp.Body), `"type":"`+tt.errTyp+`"`)
		})
	}
}

func TestDocResponse(t *testing.T) {
	req, err := DecodeDoc([]byte(`{"m":1}`), OpCreate, "app", "a/b \"c\"", noLimits)
	require.NoError(t, err)
	resp := req.DocResponse()
	require.Equal(t, http.StatusCreated, resp.Status)
	require.Equal(t, "/app/_doc/a%2Fb%20%22c%22", resp.Header.Get("Location"))
	var got struct {
		Index   string `json:"_index"`
		ID      string `json:"_id"`
		Version int    `json:"_version"`
		Result  string
		Shards  struct{ Total, Successful, Failed int } `json:"_shards"`
	}
	require.NoError(t, json.Unmarshal(resp.Body, &got), string(resp.Body))
	require.Equal(t, "app", got.Index)
	require.Equal(t, `a/b "c"`, got.ID)
	require.Equal(t, 1, got.Version)
	require.Equal(t, "created", got.Result)
	require.Equal(t, 1, got.Shards.Successful)
}
