package otlp

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/trolly-logs/trolly/ingest"
)

func unmarshal(t *testing.T, enc Encoding, b []byte, m proto.Message) {
	t.Helper()
	if enc == JSON {
		require.NoError(t, protojson.Unmarshal(b, m))
		return
	}
	require.NoError(t, proto.Unmarshal(b, m))
}

func TestResponse(t *testing.T) {
	for _, enc := range []Encoding{Protobuf, JSON} {
		t.Run(enc.ContentType(), func(t *testing.T) {
			var ok collogspb.ExportLogsServiceResponse
			unmarshal(t, enc, (&Request{}).Response(enc), &ok)
			require.Nil(t, ok.GetPartialSuccess(), "no partial_success when all records are accepted")

			var partial collogspb.ExportLogsServiceResponse
			unmarshal(t, enc, (&Request{Rejected: 2, RejectMessage: "too big \xff"}).Response(enc), &partial)
			require.Equal(t, int64(2), partial.GetPartialSuccess().GetRejectedLogRecords())
			require.Equal(t, "too big \ufffd", partial.GetPartialSuccess().GetErrorMessage())
		})
	}
	require.JSONEq(t, `{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"x"}}`,
		string((&Request{Rejected: 1, RejectMessage: "x"}).Response(JSON)))
}

func TestErrorResponse(t *testing.T) {
	tests := []struct {
		http int
		grpc codes.Code
	}{
		{http.StatusBadRequest, codes.InvalidArgument},
		{http.StatusUnauthorized, codes.Unauthenticated},
		{http.StatusForbidden, codes.PermissionDenied},
		{http.StatusNotFound, codes.NotFound},
		{http.StatusRequestEntityTooLarge, codes.ResourceExhausted},
		{http.StatusUnsupportedMediaType, codes.InvalidArgument},
		{http.StatusTooManyRequests, codes.ResourceExhausted},
		{http.StatusInternalServerError, codes.Internal},
		{http.StatusServiceUnavailable, codes.Unavailable},
		{http.StatusGatewayTimeout, codes.DeadlineExceeded},
		{http.StatusTeapot, codes.Unknown},
	}
	for _, tt := range tests {
		for _, enc := range []Encoding{Protobuf, JSON} {
			t.Run(http.StatusText(tt.http)+" "+enc.ContentType(), func(t *testing.T) {
				var st statuspb.Status
				unmarshal(t, enc, ErrorResponse(enc, tt.http, "why"), &st)
				require.Equal(t, int32(tt.grpc), st.GetCode())
				require.Equal(t, "why", st.GetMessage())
			})
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	require.Equal(t, http.StatusBadRequest, HTTPStatus(ingest.Errorf(ingest.Invalid, 0, "x")))
	require.Equal(t, http.StatusRequestEntityTooLarge, HTTPStatus(ingest.Errorf(ingest.TooLarge, 0, "x")))
	require.Equal(t, http.StatusInternalServerError, HTTPStatus(errors.New("x")))
}
