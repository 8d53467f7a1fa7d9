package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
)

// Export pages through the engine with cursors and sends whole lines as they come, so
// that it holds one page and one chunk at most, whatever the export's size.
const (
	exportPage  = 1000     // hits per page
	exportChunk = 64 << 10 // bytes per message, about
)

// errExportTimeout is the cause of an export's context that ran out of export_timeout.
var errExportTimeout = errors.New("export timeout")

// Export implements trollyv1.SearchServiceServer. It holds one of the plan's concurrent
// searches throughout; each page is a search of its own, within query_timeout, and the
// whole within the server's export_timeout.
func (s *searchService) Export(req *trollyv1.ExportRequest, stream grpc.ServerStreamingServer[trollyv1.ExportResponse]) error {
	ctx := stream.Context()
	order := req.GetOrder()
	if order == "" {
		order = "oldest"
	}
	c, err := s.begin(ctx, req.GetQ(), req.GetFrom(), req.GetTo())
	if err != nil {
		return err
	}
	defer c.release()
	if err := hitsRequest(&c.req, exportPage, order, "", req.GetFields()); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	c.req.NoTotal = true
	ctx, cancel := context.WithTimeoutCause(ctx, s.cfg.ExportTimeout, errExportTimeout)
	defer cancel()
	var buf bytes.Buffer
	for {
		var res search.Result
		err := c.run(ctx, func(ctx context.Context) (err error) {
			res, err = s.backend.Search(ctx, c.req)
			return err
		})
		if errors.Is(context.Cause(ctx), errExportTimeout) {
			return withInfo(codes.DeadlineExceeded, "the export ran past this server's export_timeout ("+s.cfg.ExportTimeout.String()+
				") and was stopped; export a shorter range at a time", codeQueryTimeout, "")
		}
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			appendLine(&buf, h.Source)
			if buf.Len() >= exportChunk {
				if err := stream.Send(&trollyv1.ExportResponse{Ndjson: buf.Bytes()}); err != nil {
					return err
				}
				buf.Reset()
			}
		}
		if res.Next == nil {
			break
		}
		c.req.Cursor = res.Next
	}
	if buf.Len() == 0 {
		return nil
	}
	return stream.Send(&trollyv1.ExportResponse{Ndjson: buf.Bytes()})
}

// appendLine appends a source as one line: stored sources are compact JSON already, but
// a newline inside one would split it.
func appendLine(buf *bytes.Buffer, src []byte) {
	if bytes.ContainsAny(src, "\n\r") {
		var c bytes.Buffer
		if json.Compact(&c, src) == nil {
			src = c.Bytes()
		}
	}
	buf.Write(src)
	buf.WriteByte('\n')
}

// serveExport is Export on REST: GET /api/v1/search/export?q=&from=&to=&order=&fields=,
// answered as NDJSON. It calls Export through the in-process connection, as the REST
// mapping does, so the credential, the rule and the plan are checked by the same
// interceptors; the client going away cancels the call.
func (s *Server) serveExport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := &trollyv1.ExportRequest{Q: q.Get("q"), From: q.Get("from"), To: q.Get("to"), Order: q.Get("order"), Fields: q["fields"]}
	md := s.gatewayMetadata(r.Context(), r)
	if auth := r.Header.Get("Authorization"); auth != "" {
		md.Set("authorization", auth)
	}
	ctx, cancel := context.WithCancel(metadata.NewOutgoingContext(r.Context(), md))
	defer cancel()
	stream, err := trollyv1.NewSearchServiceClient(s.conn).Export(ctx, req)
	var first *trollyv1.ExportResponse
	if err == nil {
		first, err = stream.Recv()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		writeRESTError(ctx, nil, nil, w, r, err)
		return
	}
	// The server's write timeout is for ordinary answers; an export has its own bound.
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.ExportTimeout + time.Minute))
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	for msg := first; msg != nil; {
		if _, err := w.Write(msg.GetNdjson()); err != nil {
			return // the client went away; cancel stops the export
		}
		_ = rc.Flush()
		if msg, err = stream.Recv(); errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			// Too late for a status: break the connection, so that the client sees a
			// truncated answer rather than a complete one.
			if r.Context().Err() == nil {
				s.log.Warn("export stopped", "err", err)
			}
			panic(http.ErrAbortHandler)
		}
	}
}
