package otlp

import (
	"errors"
	"net/http"
	"strings"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/trolly-logs/trolly/ingest"
)

// Response returns the body of the 200 answer to r in enc (Content-Type enc.ContentType()):
// an ExportLogsServiceResponse, with partial_success when records were refused.
func (r *Request) Response(enc Encoding) []byte {
	resp := &collogspb.ExportLogsServiceResponse{}
	if r.Rejected > 0 {
		resp.PartialSuccess = &collogspb.ExportLogsPartialSuccess{
			RejectedLogRecords: r.Rejected,
			ErrorMessage:       valid(r.RejectMessage),
		}
	}
	return marshal(enc, resp)
}

// ErrorResponse returns the body of an error answer with HTTP status code in enc: the
// google.rpc.Status OTLP/HTTP asks for, with the gRPC code matching the HTTP one. Clients
// retry 429, 502, 503 and 504 (after Retry-After, which the caller sets) and drop the data
// on any other code.
func ErrorResponse(enc Encoding, code int, msg string) []byte {
	return marshal(enc, &statuspb.Status{Code: int32(grpcCode(code)), Message: valid(msg)})
}

// HTTPStatus returns the status code of a Decode error: 400 for Invalid, 413 for TooLarge,
// and 500 for any other error.
func HTTPStatus(err error) int {
	var ie *ingest.Error
	if !errors.As(err, &ie) {
		return http.StatusInternalServerError
	}
	if ie.Kind == ingest.TooLarge {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func grpcCode(httpCode int) codes.Code {
	switch httpCode {
	case http.StatusBadRequest, http.StatusUnsupportedMediaType:
		return codes.InvalidArgument
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	case http.StatusNotFound:
		return codes.NotFound
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return codes.ResourceExhausted
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		return codes.Unavailable
	case http.StatusGatewayTimeout:
		return codes.DeadlineExceeded
	case http.StatusNotImplemented:
		return codes.Unimplemented
	}
	if httpCode >= 500 {
		return codes.Internal
	}
	return codes.Unknown
}

// valid makes s valid UTF-8, which proto3 strings must be, so that marshalling cannot fail.
func valid(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// marshal encodes m, which holds only valid strings and so always encodes.
func marshal(enc Encoding, m proto.Message) []byte {
	var b []byte
	var err error
	if enc == JSON {
		b, err = protojson.Marshal(m)
	} else {
		b, err = proto.Marshal(m)
	}
	if err != nil {
		return nil
	}
	return b
}
