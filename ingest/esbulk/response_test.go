package esbulk

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest"
)

func TestBulkResponse(t *testing.T) {
	body := "{\"create\":{\"_index\":\"logs\"}}\n{\"m\":1}\n" +
		"{\"delete\":{\"_index\":\"logs\",\"_id\":\"7\"}}\n" +
		"{\"index\":{\"_index\":\"other\",\"_id\":\"a\\\"b\"}}\n{\"m\":2}\n"
	req, err := Decode([]byte(body), "", noLimits)
	require.NoError(t, err)
	req.Items[0].ID = "01JDBATCH-0" // as the gateway sets it
	req.Items[2].Fail(http.StatusTooManyRequests, "es_rejected_execution_exception", "the stream's queue is full")

	resp := req.Response(1500 * time.Microsecond)
	require.Equal(t, http.StatusOK, resp.Status)
	want := `{"took":1,"errors":true,"items":[` +
		`{"create":{"_index":"logs","_id":"01JDBATCH-0","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"status":201}},` +
		`{"delete":{"_index":"logs","_id":"7","status":400,"error":{"type":"illegal_argument_exception","reason":"the [delete] action is not supported: Trolly stores logs append-only, use [index] or [create]","index":"logs"}}},` +
		`{"index":{"_index":"other","_id":"a\"b","status":429,"error":{"type":"es_rejected_execution_exception","reason":"the stream's queue is full","index":"other"}}}]}`
	require.Equal(t, want, string(resp.Body))
	require.Equal(t, -1, req.Items[2].Record)
}

func TestBulkResponseNoErrors(t *testing.T) {
	req, err := Decode([]byte("{\"index\":{\"_index\":\"a\"}}\n{}\n"), "", noLimits)
	require.NoError(t, err)
	resp := req.Response(0)
	require.Contains(t, string(resp.Body), `"errors":false`)

	// What Beats and rsyslog read from the answer.
	var got struct {
		Errors bool
		Items  []map[string]struct {
			Index  string `json:"_index"`
			Status int
			Result string
		}
	}
	require.NoError(t, json.Unmarshal(resp.Body, &got))
	require.False(t, got.Errors)
	require.Equal(t, 201, got.Items[0]["index"].Status)
	require.Equal(t, "created", got.Items[0]["index"].Result)
}

func TestErrorResponses(t *testing.T) {
	tests := []struct {
		name   string
		resp   Response
		status int
		typ    string
		header string
		value  string
	}{
		{"empty body", FromError(ingest.Errorf(ingest.Invalid, 0, "request body is required")), 400, "parse_exception", "", ""},
		{"bad line", FromError(ingest.Errorf(ingest.Invalid, 3, "malformed")), 400, "illegal_argument_exception", "", ""},
		{"too large", FromError(ingest.Errorf(ingest.TooLarge, 9, "more than 2 actions")), 413, "illegal_argument_exception", "", ""},
		{"other error", FromError(errors.New("boom")), 500, "exception", "", ""},
		{"unauthorized", Unauthorized("unable to authenticate with provided credentials"), 401, "security_exception", "Www-Authenticate", `Basic realm="security", charset="UTF-8"`},
		{"forbidden", Forbidden("this key may not ingest"), 403, "security_exception", "", ""},
		{"rate", TooManyRequests("tenant over its ingest rate", 1500*time.Millisecond), 429, "es_rejected_execution_exception", "Retry-After", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.status, tt.resp.Status)
			var got struct {
				Error struct {
					RootCause []struct{ Type, Reason string } `json:"root_cause"`
					Type      string
					Reason    string
				}
				Status int
			}
			require.NoError(t, json.Unmarshal(tt.resp.Body, &got))
			require.Equal(t, tt.status, got.Status)
			require.Equal(t, tt.typ, got.Error.Type)
			require.NotEmpty(t, got.Error.Reason)
			require.Len(t, got.Error.RootCause, 1)
			require.Equal(t, tt.typ, got.Error.RootCause[0].Type)
			if tt.header != "" {
				require.Equal(t, tt.value, tt.resp.Header.Get(tt.header))
			}
		})
	}
}

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	Unauthorized("missing authentication credentials for REST request [/_bulk]").Write(rec)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	require.Equal(t, "Elasticsearch", rec.Header().Get("X-Elastic-Product"))
	require.Equal(t, []string{`Basic realm="security", charset="UTF-8"`, "ApiKey"}, rec.Header().Values("WWW-Authenticate"))
	require.Contains(t, rec.Body.String(), "[/_bulk]")
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"q\"b\\s", `"q\"b\\s"`},
		{"nl\n\r\t\x01", `"nl\n\r\t\u0001"`},
		{"é→", `"é→"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`},
		{"", `""`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := appendString(nil, tt.in)
			require.Equal(t, tt.want, string(got))
			require.True(t, json.Valid(got))
			var back string
			require.NoError(t, json.Unmarshal(got, &back))
			require.Equal(t, strings.ToValidUTF8(tt.in, "\ufffd"), back)
		})
	}
}
