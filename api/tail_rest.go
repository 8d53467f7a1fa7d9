package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// sseHit writes a hit as the REST API writes it elsewhere.
var sseHit = protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}

// serveTail serves GET /api/v1/tail as server-sent events. It calls Tail over the same
// in-process connection as the REST mapping, so the call passes the same authentication,
// authorization and metrics as any other; a refusal is answered as a REST error.
func (s *Server) serveTail(w http.ResponseWriter, r *http.Request) {
	md := metadata.Pairs(mdRemoteAddr, clientAddress(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.trusted))
	if a := r.Header.Get("Authorization"); a != "" {
		md.Set("authorization", a)
	}
	ctx := metadata.NewOutgoingContext(r.Context(), md)
	stream, err := trollyv1.NewTailServiceClient(s.conn).Tail(ctx, &trollyv1.TailRequest{Q: r.URL.Query().Get("q")})
	if err != nil {
		writeRESTError(ctx, nil, nil, w, r, err)
		return
	}
	// Header returns nothing when the call failed before it opened; Recv says why.
	if h, _ := stream.Header(); len(h.Get(mdTailOpen)) == 0 {
		_, err := stream.Recv()
		if err == nil || errors.Is(err, io.EOF) {
			err = status.Error(codes.Internal, "the tail ended before it opened")
		}
		writeRESTError(ctx, nil, nil, w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx would hold the events back
	w.WriteHeader(http.StatusOK)
	out := sseWriter{w: w, rc: rc, timeout: s.cfg.HTTP.WriteTimeout}
	if !out.comment("tail open") {
		return
	}
	for {
		msg, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return // after its end message
		case err != nil:
			st := status.Convert(err)
			out.end(errorCode(st.Code()), st.Message(), err)
			return
		}
		var ok bool
		switch ev := msg.GetEvent().(type) {
		case *trollyv1.TailResponse_Hit:
			data, err := sseHit.Marshal(ev.Hit)
			ok = err == nil && out.event("hit", data)
		case *trollyv1.TailResponse_Heartbeat:
			ok = out.comment("heartbeat")
		case *trollyv1.TailResponse_End:
			out.end(ev.End.GetReason(), ev.End.GetMessage(), nil)
			return
		}
		if !ok {
			return // the client is gone: the call ends with r's context
		}
	}
}

// sseWriter writes server-sent events, each flushed at once, each with a write deadline
// of its own: the stream outlives write_timeout.
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (o sseWriter) write(p []byte) bool {
	_ = o.rc.SetWriteDeadline(time.Now().Add(o.timeout))
	if _, err := o.w.Write(p); err != nil {
		return false
	}
	return o.rc.Flush() == nil
}

func (o sseWriter) event(name string, data []byte) bool {
	// data is one line: JSON of protojson's compact form has no raw newline.
	return o.write(fmt.Appendf(nil, "event: %s\ndata: %s\n\n", name, data))
}

func (o sseWriter) comment(text string) bool { return o.write([]byte(": " + text + "\n\n")) }

// end writes the last event: why the tail ends, in the shape of REST errors. A status
// error with a stable code (tail_too_slow) gives that code.
func (o sseWriter) end(code, message string, err error) {
	if st, ok := status.FromError(err); ok && err != nil {
		code = restErrorOf(st).Code
	}
	data, _ := json.Marshal(restError{Code: code, Message: message})
	o.event("end", data)
}
