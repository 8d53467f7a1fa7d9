package gateway

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"

	"github.com/trolly-logs/trolly/ingest"
	"github.com/trolly-logs/trolly/ingest/lines"
)

// decoder turns a body into records, bounding each record to maxLine bytes.
type decoder func(body []byte, maxLine int) ([]ingest.Record, error)

// nativeDecoder picks the decoder of the native endpoint by Content-Type.
func nativeDecoder(contentType string) (decoder, *rejection) {
	if contentType == "" {
		return lines.Text, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, reject(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type %q: %v", contentType, err)
	}
	switch mt {
	// curl sends form-urlencoded when told no type; its body is still the lines.
	case "text/plain", "application/x-www-form-urlencoded":
		return lines.Text, nil
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines":
		return lines.NDJSON, nil
	}
	return nil, reject(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"Content-Type %q is not accepted: send text/plain (one record per line) or application/x-ndjson (one JSON object per line)", mt)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads the request body, decompressed, into a pooled buffer that the caller must
// hand back with putBuffer once nothing refers to it. Bodies over max, compressed or not,
// are refused with 413.
func readBody(w http.ResponseWriter, r *http.Request, max int64) (*bytes.Buffer, *rejection) {
	var src io.Reader = http.MaxBytesReader(w, r.Body, max)
	what := "body"
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		what = "gzip body"
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, bodyError(what, err, max)
		}
		defer zr.Close()
		src = zr
	default:
		return nil, reject(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Encoding %q is not accepted: send gzip or none", enc)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	// One byte over max tells a body that is too large once decompressed.
	n, err := buf.ReadFrom(io.LimitReader(src, max+1))
	if err == nil && n > max {
		err = &http.MaxBytesError{Limit: max}
	}
	if err != nil {
		putBuffer(buf)
		return nil, bodyError(what, err, max)
	}
	return buf, nil
}

func bodyError(what string, err error, max int64) *rejection {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return reject(http.StatusRequestEntityTooLarge, "too_large", "the body is over the limit of %d bytes (after decompression)", max)
	}
	return reject(http.StatusBadRequest, "invalid_body", "read %s: %v", what, err)
}

// putBuffer returns a body buffer to the pool unless it grew too large to keep around.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 16<<20 {
		bufPool.Put(b)
	}
}
