package gateway

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

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

// minRoom is the first room of a body of unknown size, and the least a body grows by.
const minRoom = 64 << 10

// readBody reads the request body, decompressed, taking the room it grows into from
// max_inflight_bytes before reading into it, so that bodies in flight never hold more than
// the budget and a gzip bomb no more than max_body_bytes. It returns the body and the room
// held, which the caller gives back with g.release once nothing refers to the body. Bodies
// over max_body_bytes, compressed or not, are refused with 413; a body that finds no room,
// with 503 and Retry-After: waiting for room would hold the connection without bound.
func (g *Gateway) readBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, int64, *rejection) {
	limit := g.cfg.MaxBodyBytes
	var src io.Reader = http.MaxBytesReader(w, r.Body, limit)
	what := "body"
	room := int64(minRoom)
	if r.ContentLength >= 0 {
		room = r.ContentLength
	}
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		what = "gzip body"
		room = max(minRoom, 4*room) // logs inflate several times; more is taken as it comes
	default:
		return nil, 0, reject(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Encoding %q is not accepted: send gzip or none", enc)
	}
	room = min(room, limit)
	if !g.acquire(room) {
		return nil, 0, g.overloaded()
	}
	held := room
	fail := func(rej *rejection) (*bytes.Buffer, int64, *rejection) {
		g.release(held)
		return nil, 0, rej
	}
	if what == "gzip body" {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return fail(bodyError(what, err, limit))
		}
		defer zr.Close()
		src = zr
	}
	buf := make([]byte, 0, room)
	for {
		if len(buf) == cap(buf) {
			// Full: one more byte says whether the body goes on before room is taken for it.
			b, err := readByte(src)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fail(bodyError(what, err, limit))
			}
			if int64(len(buf)) == limit {
				return fail(bodyError(what, &http.MaxBytesError{Limit: limit}, limit))
			}
			more := min(max(int64(cap(buf)), minRoom), limit-int64(cap(buf)))
			if !g.acquire(more) {
				return fail(g.overloaded())
			}
			held += more
			buf = append(make([]byte, 0, int64(cap(buf))+more), buf...)
			buf = append(buf, b)
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(bodyError(what, err, limit))
		}
	}
	return bytes.NewBuffer(buf), held, nil
}

// readByte reads one byte, through the empty reads a Reader may return.
func readByte(r io.Reader) (byte, error) {
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n == 1 {
			return one[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// acquire takes n bytes of max_inflight_bytes, if they are free.
func (g *Gateway) acquire(n int64) bool {
	if !g.inflight.TryAcquire(n) {
		return false
	}
	g.metrics.inflightBytes.Add(float64(n))
	return true
}

// release gives back n bytes of max_inflight_bytes.
func (g *Gateway) release(n int64) {
	g.inflight.Release(n)
	g.metrics.inflightBytes.Sub(float64(n))
}

func (g *Gateway) overloaded() *rejection {
	g.metrics.inflightRefused.Inc()
	rej := reject(http.StatusServiceUnavailable, "overloaded",
		"the gateway holds as many request bodies as gateway.max_inflight_bytes allows: retry later")
	rej.retryAfter = g.cfg.RetryAfter
	return rej
}

func bodyError(what string, err error, max int64) *rejection {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return reject(http.StatusRequestEntityTooLarge, "too_large", "the body is over the limit of %d bytes (after decompression)", max)
	}
	return reject(http.StatusBadRequest, "invalid_body", "read %s: %v", what, err)
}
