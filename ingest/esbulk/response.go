package esbulk

import (
	"errors"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/trolly-logs/trolly/ingest"
)

// Response is an answer in Elasticsearch's shape.
type Response struct {
	Status int
	// Header holds headers beyond the ones every answer carries (WWW-Authenticate,
	// Retry-After); nil when there are none.
	Header http.Header
	// Body is the JSON body, nil for none (HEAD).
	Body []byte
}

// Write sends the answer, with the Content-Type and the X-Elastic-Product header that
// Logstash and the Elastic clients check before they trust the server.
func (r Response) Write(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.Header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	h.Set("X-Elastic-Product", "Elasticsearch")
	if r.Body != nil {
		h.Set("Content-Length", strconv.Itoa(len(r.Body)))
	}
	w.WriteHeader(r.Status)
	_, _ = w.Write(r.Body) // the client may be gone; nothing to do then
}

// Errors reports whether any item failed.
func (r *Request) Errors() bool {
	for i := range r.Items {
		if r.Items[i].Error != nil {
			return true
		}
	}
	return false
}

// Response is the bulk answer: 200 with took, errors and one result per item, compact, so
// that shippers which look for "errors":true in the body find it.
func (r *Request) Response(took time.Duration) Response {
	return Response{Status: http.StatusOK, Body: r.AppendResponse(make([]byte, 0, 64+160*len(r.Items)), took)}
}

// AppendResponse appends the body of the bulk answer to dst.
func (r *Request) AppendResponse(dst []byte, took time.Duration) []byte {
	dst = append(dst, `{"took":`...)
	dst = strconv.AppendInt(dst, took.Milliseconds(), 10)
	dst = append(dst, `,"errors":`...)
	dst = strconv.AppendBool(dst, r.Errors())
	dst = append(dst, `,"items":[`...)
	for i := range r.Items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = r.Items[i].appendJSON(dst)
	}
	return append(dst, "]}"...)
}

func (it *Item) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"`...)
	dst = append(dst, it.Op.String()...)
	dst = append(dst, `":{"_index":`...)
	dst = appendString(dst, it.Index)
	if it.ID != "" {
		dst = append(dst, `,"_id":`...)
		dst = appendString(dst, it.ID)
	}
	if it.Error == nil {
		dst = appendCreated(dst)
		dst = append(dst, `,"status":`...)
		dst = strconv.AppendInt(dst, int64(it.Status), 10)
		return append(dst, "}}"...)
	}
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, int64(it.Status), 10)
	dst = append(dst, `,"error":{"type":`...)
	dst = appendString(dst, it.Error.Type)
	dst = append(dst, `,"reason":`...)
	dst = appendString(dst, it.Error.Reason)
	if it.Index != "" {
		dst = append(dst, `,"index":`...)
		dst = appendString(dst, it.Index)
	}
	return append(dst, "}}}"...)
}

// ErrorResponse is a whole-request error: {"error":{"root_cause":[...],"type","reason"},
// "status"}.
func ErrorResponse(status int, typ, reason string) Response {
	b := make([]byte, 0, 96+2*len(reason))
	b = append(b, `{"error":{"root_cause":[{"type":`...)
	b = appendString(b, typ)
	b = append(b, `,"reason":`...)
	b = appendString(b, reason)
	b = append(b, `}],"type":`...)
	b = appendString(b, typ)
	b = append(b, `,"reason":`...)
	b = appendString(b, reason)
	b = append(b, `},"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, '}')
	return Response{Status: status, Body: b}
}

// FromError answers a Decode error: 413 for TooLarge; 400 parse_exception for a body that
// is not a bulk request at all, illegal_argument_exception for a bad line; 500 for
// anything that is not an *ingest.Error.
func FromError(err error) Response {
	var ie *ingest.Error
	if !errors.As(err, &ie) {
		return ErrorResponse(http.StatusInternalServerError, "exception", err.Error())
	}
	switch {
	case ie.Kind == ingest.TooLarge:
		return ErrorResponse(http.StatusRequestEntityTooLarge, "illegal_argument_exception", ie.Error())
	case ie.Line == 0:
		return ErrorResponse(http.StatusBadRequest, "parse_exception", ie.Error())
	}
	return ErrorResponse(http.StatusBadRequest, "illegal_argument_exception", ie.Error())
}

// Unauthorized is the 401 for missing or unknown credentials, with the challenges
// Elasticsearch sends.
func Unauthorized(reason string) Response {
	r := ErrorResponse(http.StatusUnauthorized, "security_exception", reason)
	r.Header = http.Header{"Www-Authenticate": {`Basic realm="security", charset="UTF-8"`, "ApiKey"}}
	return r
}

// Forbidden is the 403 for a key that may not ingest.
func Forbidden(reason string) Response {
	return ErrorResponse(http.StatusForbidden, "security_exception", reason)
}

// TooManyRequests is the 429 that Beats, Logstash, Fluent Bit and Vector retry; retryAfter,
// when positive, is sent as Retry-After in whole seconds.
func TooManyRequests(reason string, retryAfter time.Duration) Response {
	r := ErrorResponse(http.StatusTooManyRequests, "es_rejected_execution_exception", reason)
	if retryAfter > 0 {
		r.Header = http.Header{"Retry-After": {strconv.Itoa(int((retryAfter + time.Second - 1) / time.Second))}}
	}
	return r
}

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
