package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

// Reasons a tail ends, besides search.TailCode's.
const (
	reasonMaxDuration    = "max_duration"
	reasonServerStopping = "server_stopping"
)

// mdTailOpen is the header a tail sends once it is open, so that the REST mapping can
// answer a refusal with an HTTP error before it starts the event stream.
const mdTailOpen = "x-trolly-tail"

var (
	errTailMaxDuration = errors.New(reasonMaxDuration)
	errServerStopping  = errors.New(reasonServerStopping)
)

type tailService struct {
	trollyv1.UnimplementedTailServiceServer
	*Server
}

// Tail implements trollyv1.TailServiceServer within the caller's tenant, for at most
// search.tail.max_duration.
func (s *tailService) Tail(req *trollyv1.TailRequest, stream grpc.ServerStreamingServer[trollyv1.TailResponse]) error {
	ctx := stream.Context()
	p := principalFrom(ctx)
	t, err := s.dir.Tenant(ctx, p.TenantID)
	if err != nil {
		return statusOf(ctx, s.log, err, "tenant")
	}
	q, err := query.Parse(req.GetQ())
	if err != nil {
		return invalidField("q", err.Error())
	}
	if s.tails == nil {
		return status.Error(codes.Unimplemented, "live tail needs the indexer: run it in this process, or set search.embedded.url to the indexer's")
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopOnStop := context.AfterFunc(s.stopping, func() { cancel(errServerStopping) })
	defer stopOnStop()
	ctx, cancelTimeout := context.WithTimeoutCause(ctx, s.cfg.Tail.MaxDuration, errTailMaxDuration)
	defer cancelTimeout()

	tl, err := s.tails.Tail(ctx, search.TailRequest{Tenant: t.Key, Query: q})
	if err != nil {
		return s.tailRefused(ctx, p.TenantID, err)
	}
	defer tl.Close()
	s.tailsOpen.WithLabelValues(p.TenantID).Inc()
	defer s.tailsOpen.WithLabelValues(p.TenantID).Dec()
	if err := stream.SendHeader(metadata.Pairs(mdTailOpen, "open")); err != nil {
		return err
	}
	var oldest time.Time
	if days := t.Retention.SearchDays; days > 0 {
		oldest = s.now().Add(-time.Duration(days) * 24 * time.Hour)
	}
	return s.follow(ctx, p.TenantID, tl, stream, oldest)
}

// follow sends tl's hits, and a heartbeat when it has been quiet for a while, until it ends.
func (s *tailService) follow(ctx context.Context, tenantID string, tl search.Tail, stream grpc.ServerStreamingServer[trollyv1.TailResponse], oldest time.Time) error {
	for {
		wait, cancel := context.WithTimeout(ctx, s.cfg.Tail.Heartbeat)
		h, err := tl.Next(wait)
		cancel()
		var msg *trollyv1.TailResponse
		switch {
		case err == nil && h.Timestamp.Before(oldest):
			continue // retention is a promise, also for an old event indexed now
		case err == nil:
			hit, err := hitProto(h)
			if err != nil {
				s.log.Error("decode indexed event", "tenant", tenantID, "id", h.ID, "err", err)
				continue
			}
			msg = &trollyv1.TailResponse{Event: &trollyv1.TailResponse_Hit{Hit: hit}}
		case ctx.Err() != nil:
			return s.endTail(ctx, stream)
		case errors.Is(err, context.DeadlineExceeded):
			msg = &trollyv1.TailResponse{Event: &trollyv1.TailResponse_Heartbeat{Heartbeat: &trollyv1.TailHeartbeat{}}}
		default:
			return s.cutTail(tenantID, stream, err)
		}
		if err := stream.Send(msg); err != nil {
			return err
		}
	}
}

// endTail ends a tail whose context ended: at its max duration or the server's stop with
// an end message, or because the client went away.
func (s *tailService) endTail(ctx context.Context, stream grpc.ServerStreamingServer[trollyv1.TailResponse]) error {
	var end *trollyv1.TailEnd
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errTailMaxDuration):
		end = &trollyv1.TailEnd{Reason: reasonMaxDuration, Message: fmt.Sprintf("the tail reached search.tail.max_duration (%s); open another to go on", s.cfg.Tail.MaxDuration)}
	case errors.Is(cause, errServerStopping):
		end = &trollyv1.TailEnd{Reason: reasonServerStopping, Message: "the server is stopping; open the tail again"}
	default:
		return status.FromContextError(ctx.Err()).Err()
	}
	return stream.Send(&trollyv1.TailResponse{Event: &trollyv1.TailResponse_End{End: end}})
}

// cutTail ends a tail the tailer cut off, saying why.
func (s *tailService) cutTail(tenantID string, stream grpc.ServerStreamingServer[trollyv1.TailResponse], err error) error {
	code := search.TailCode(err)
	switch code {
	case reasonServerStopping:
		return stream.Send(&trollyv1.TailResponse{Event: &trollyv1.TailResponse_End{End: &trollyv1.TailEnd{Reason: code, Message: "the indexer is stopping; open the tail again"}}})
	case "tail_too_slow":
		msg := fmt.Sprintf("the tail fell more than search.tail.buffer (%d) events behind and was cut off: read faster, or narrow the query", s.cfg.Tail.Buffer)
		_ = stream.Send(&trollyv1.TailResponse{Event: &trollyv1.TailResponse_End{End: &trollyv1.TailEnd{Reason: code, Message: msg}}})
		return withInfo(codes.ResourceExhausted, msg, code, "")
	}
	s.log.Warn("live tail", "tenant", tenantID, "err", err) // the indexer's process restarting, say
	return status.Error(codes.Unavailable, "the live tail was interrupted; open it again")
}

// tailRefused answers a tail the tailer would not open.
func (s *tailService) tailRefused(ctx context.Context, tenantID string, err error) error {
	switch code := search.TailCode(err); code {
	case "tail_tenant_limit":
		return retryWith(codes.ResourceExhausted, fmt.Sprintf("your tenant has search.tail.max_per_tenant (%d) live tails open already", s.cfg.Tail.MaxPerTenant), code, 5*time.Second)
	case "tail_limit":
		return retryWith(codes.Unavailable, "every live tail of the server is taken, retry later", code, 5*time.Second)
	case reasonServerStopping:
		return retryWith(codes.Unavailable, "the indexer is stopping, retry later", code, 5*time.Second)
	}
	if ctx.Err() != nil {
		return status.FromContextError(ctx.Err()).Err()
	}
	s.log.Error("open live tail", "tenant", tenantID, "err", err)
	return status.Error(codes.Unavailable, "the live tail could not be opened, retry later")
}

func hitProto(h search.Hit) (*trollyv1.Hit, error) {
	src := &structpb.Struct{}
	if err := protojson.Unmarshal(h.Source, src); err != nil {
		return nil, err
	}
	return &trollyv1.Hit{Id: h.ID, Index: h.Index, Timestamp: timestamppb.New(h.Timestamp), Source: src}, nil
}
