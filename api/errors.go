package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/trolly-logs/trolly/api/auth"
	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/tenant"
)

// Stable codes of the REST error body that no gRPC code names on its own.
const (
	codeLimitReached = "limit_reached"
	codeTooMany      = "too_many_requests"
	codePlanInUse    = "plan_in_use"
	codeStreamInUse  = "stream_in_use"
)

// errorDomain marks the ErrorInfo details Trolly attaches.
const errorDomain = "trolly"

// errorCode names a gRPC code as REST callers see it, in the vocabulary the ingest gateway
// uses too.
func errorCode(c codes.Code) string {
	switch c {
	case codes.PermissionDenied:
		return "forbidden"
	case codes.InvalidArgument, codes.OutOfRange:
		return "invalid_argument"
	case codes.ResourceExhausted:
		return codeTooMany
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

// withInfo attaches a stable code (and a field) to a status, for the REST error body.
func withInfo(c codes.Code, msg, code, field string) error {
	info := &errdetails.ErrorInfo{Reason: code, Domain: errorDomain}
	if field != "" {
		info.Metadata = map[string]string{"field": field}
	}
	st, err := status.New(c, msg).WithDetails(info)
	if err != nil {
		return status.Error(c, msg)
	}
	return st.Err()
}

// retryLater is ResourceExhausted with a delay, sent as Retry-After in REST.
func retryLater(msg string, after time.Duration) error {
	return retryWith(codes.ResourceExhausted, msg, codeTooMany, after)
}

// retryWith is a status with a stable code and a delay, sent as Retry-After in REST.
func retryWith(c codes.Code, msg, code string, after time.Duration) error {
	st, err := status.New(c, msg).WithDetails(
		&errdetails.ErrorInfo{Reason: code, Domain: errorDomain},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(after)})
	if err != nil {
		return status.Error(c, msg)
	}
	return st.Err()
}

// invalidField is InvalidArgument naming its field, as "<field>: <msg>".
func invalidField(field, msg string) error {
	return withInfo(codes.InvalidArgument, field+": "+msg, "invalid_argument", field)
}

// notFound answers a resource that does not exist, or that belongs to another tenant, in
// the same words, so that the answer does not tell which.
func notFound(what string) error {
	return status.Error(codes.NotFound, what+" not found")
}

// statusOf maps an error of the catalog or the auth service to the status callers see;
// what names the resource for NotFound. It is the one place errors become codes.
func statusOf(ctx context.Context, log *slog.Logger, err error, what string) error {
	var limited *auth.LimitedError
	var busy *auth.BusyError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tenant.ErrInvalid):
		field := tenant.FieldOf(err)
		if field == "" {
			return status.Error(codes.InvalidArgument, err.Error())
		}
		msg := err.Error()
		if i := strings.Index(msg, field+": "); i >= 0 {
			msg = msg[i+len(field)+2:]
		}
		return invalidField(field, msg)
	case errors.Is(err, tenant.ErrNotFound):
		return notFound(what)
	case errors.Is(err, tenant.ErrConflict):
		return status.Errorf(codes.AlreadyExists, "%s already exists", what)
	case errors.Is(err, tenant.ErrLimit):
		return withInfo(codes.FailedPrecondition, err.Error(), codeLimitReached, "")
	case errors.As(err, &limited):
		return retryLater("too many failed sign-ins, retry later", limited.RetryAfter)
	case errors.As(err, &busy):
		return retryLater("too many sign-ins at once, retry later", busy.RetryAfter)
	case errors.Is(err, tenant.ErrUnauthenticated):
		return status.Error(codes.Unauthenticated, "invalid credentials")
	case errors.Is(err, tenant.ErrNotLoaded):
		return status.Error(codes.Unavailable, "the tenant catalog is loading, retry later")
	case ctx.Err() != nil:
		return status.FromContextError(ctx.Err()).Err()
	}
	log.Error("call", "what", what, "err", err)
	return status.Error(codes.Internal, "internal error")
}

// restError is the body of every REST error answer: a stable code to branch on, a message
// for people, and the request field at fault when there is one.
type restError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeRESTError renders gRPC errors of the REST mapping in Trolly's one error shape.
func writeRESTError(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, _ *http.Request, err error) {
	st := status.Convert(err)
	body := restErrorOf(st)
	for _, d := range st.Details() {
		if d, ok := d.(*errdetails.RetryInfo); ok {
			secs := (d.GetRetryDelay().AsDuration() + time.Second - 1) / time.Second
			w.Header().Set("Retry-After", strconv.Itoa(int(max(secs, 1))))
		}
	}
	if st.Code() == codes.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="trolly"`)
	}
	httpx.WriteJSON(w, runtime.HTTPStatusFromCode(st.Code()), body)
}

// restErrorOf is the REST error body of st.
func restErrorOf(st *status.Status) restError {
	body := restError{Code: errorCode(st.Code()), Message: st.Message()}
	for _, d := range st.Details() {
		if d, ok := d.(*errdetails.ErrorInfo); ok && d.GetDomain() == errorDomain {
			body.Code, body.Field = d.GetReason(), d.GetMetadata()["field"]
		}
	}
	return body
}

// routeNotFound answers REST paths that match no route in the same shape.
func routeNotFound(w http.ResponseWriter, _ *http.Request) {
	httpx.WriteJSON(w, http.StatusNotFound, restError{Code: "not_found", Message: "no such endpoint"})
}

// routingError answers the gateway's own refusals in the same shape, with their HTTP
// status (the gateway's default answers a wrong method 501).
func routingError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, code int) {
	switch code {
	case http.StatusNotFound:
		routeNotFound(w, r)
	case http.StatusMethodNotAllowed:
		httpx.WriteJSON(w, code, restError{Code: "method_not_allowed", Message: r.Method + " is not a method of " + r.URL.Path})
	default:
		runtime.DefaultRoutingErrorHandler(ctx, mux, m, w, r, code)
	}
}
