package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/trolly-logs/trolly/internal/httpx"
)

// errorCode names a gRPC code as REST callers see it, in the vocabulary the ingest gateway
// uses too.
func errorCode(c codes.Code) string {
	switch c {
	case codes.PermissionDenied:
		return "forbidden"
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange:
		return "invalid_argument"
	case codes.ResourceExhausted:
		return "too_many_requests"
	case codes.DeadlineExceeded:
		return "timeout"
	}
	// Unauthenticated -> "unauthenticated", NotFound -> "not_found", Unavailable -> ...
	var b strings.Builder
	for i, r := range c.String() {
		if 'A' <= r && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeRESTError renders gRPC errors of the REST mapping in Trolly's one error shape.
func writeRESTError(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, _ *http.Request, err error) {
	st := status.Convert(err)
	code := runtime.HTTPStatusFromCode(st.Code())
	if st.Code() == codes.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="trolly"`)
	}
	httpx.WriteError(w, code, httpx.Error{Code: errorCode(st.Code()), Message: st.Message()}, 0)
}

// routeNotFound answers REST paths that match no route in the same shape.
func routeNotFound(w http.ResponseWriter, _ *http.Request) {
	httpx.WriteError(w, http.StatusNotFound, httpx.Error{Code: "not_found", Message: "no such endpoint"}, 0)
}
