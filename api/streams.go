package api

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"

	"github.com/trolly-logs/trolly/processor"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

type streamService struct {
	trollyv1.UnimplementedStreamServiceServer
	*Server
}

// streamPaths are the paths of a stream's update mask; source_type, parser and labels change.
var streamPaths = []string{"name", "source_type", "parser", "labels", "managed_by", "create_time", "update_time"}

// ListStreams implements trollyv1.StreamServiceServer within the caller's tenant.
func (s *streamService) ListStreams(ctx context.Context, req *trollyv1.ListStreamsRequest) (*trollyv1.ListStreamsResponse, error) {
	tenantID := principalFrom(ctx).TenantID
	ss, next, err := s.cat.ListStreams(ctx, tenantID, page(req.GetPageSize(), req.GetPageToken()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "stream")
	}
	out := &trollyv1.ListStreamsResponse{Streams: make([]*trollyv1.Stream, len(ss)), NextPageToken: next}
	for i, st := range ss {
		if out.Streams[i], err = s.toProto(ctx, st); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateStream implements trollyv1.StreamServiceServer within the caller's tenant.
func (s *streamService) CreateStream(ctx context.Context, req *trollyv1.CreateStreamRequest) (*trollyv1.CreateStreamResponse, error) {
	st, err := streamOf(principalFrom(ctx).TenantID, req.GetStream())
	if err != nil {
		return nil, invalidField("parser", err.Error())
	}
	if err := s.validStream(ctx, st); err != nil {
		return nil, err
	}
	st, err = s.cat.CreateStream(ctx, s.actor(ctx), st)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "stream")
	}
	out, err := s.toProto(ctx, st)
	if err != nil {
		return nil, err
	}
	return &trollyv1.CreateStreamResponse{Stream: out}, nil
}

// validStream checks a source type and its parser settings against the processor's, as the
// model cannot: a pattern with an error is refused with the pattern and the offset, and a
// pipeline may route only to streams of the same tenant.
func (s *streamService) validStream(ctx context.Context, st tenant.Stream) error {
	if st.SourceType == "" {
		return nil // the model's to refuse
	}
	compiled, err := processor.CompileStream(nil, st.SourceType, st.Parser)
	var se *processor.SettingsError
	if errors.As(err, &se) {
		return invalidField(se.Field, se.Msg)
	}
	if err != nil {
		return err
	}
	for _, to := range compiled.RouteStreams() {
		if to == st.Name {
			continue
		}
		if _, err := s.cat.GetStream(ctx, st.TenantID, to); errors.Is(err, tenant.ErrNotFound) {
			return invalidField("parser.pipeline", fmt.Sprintf("routes to stream %q, which does not exist; create it first", to))
		} else if err != nil {
			return statusOf(ctx, s.log, err, "stream")
		}
	}
	return nil
}

// GetStream implements trollyv1.StreamServiceServer within the caller's tenant.
func (s *streamService) GetStream(ctx context.Context, req *trollyv1.GetStreamRequest) (*trollyv1.GetStreamResponse, error) {
	st, err := s.cat.GetStream(ctx, principalFrom(ctx).TenantID, req.GetName())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "stream")
	}
	out, err := s.toProto(ctx, st)
	if err != nil {
		return nil, err
	}
	return &trollyv1.GetStreamResponse{Stream: out}, nil
}

// UpdateStream implements trollyv1.StreamServiceServer within the caller's tenant.
func (s *streamService) UpdateStream(ctx context.Context, req *trollyv1.UpdateStreamRequest) (*trollyv1.UpdateStreamResponse, error) {
	m, err := readMask(ctx, req.GetUpdateMask(), streamPaths)
	if err != nil {
		return nil, err
	}
	tenantID := principalFrom(ctx).TenantID
	st, err := s.cat.GetStream(ctx, tenantID, req.GetStream().GetName())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "stream")
	}
	in, err := streamOf(tenantID, req.GetStream())
	if err != nil {
		return nil, invalidField("parser", err.Error())
	}
	set(m, "source_type", &st.SourceType, in.SourceType)
	set(m, "parser", &st.Parser, in.Parser)
	set(m, "labels", &st.Labels, in.Labels)
	if err := s.validStream(ctx, st); err != nil {
		return nil, err
	}
	st, err = s.cat.UpdateStream(ctx, s.actor(ctx), st)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "stream")
	}
	out, err := s.toProto(ctx, st)
	if err != nil {
		return nil, err
	}
	return &trollyv1.UpdateStreamResponse{Stream: out}, nil
}

// DeleteStream implements trollyv1.StreamServiceServer within the caller's tenant.
// A stream that another stream's pipeline routes to is refused, naming that stream.
func (s *streamService) DeleteStream(ctx context.Context, req *trollyv1.DeleteStreamRequest) (*trollyv1.DeleteStreamResponse, error) {
	tenantID := principalFrom(ctx).TenantID
	all, err := tenant.AllStreams(ctx, s.cat, tenantID)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "stream")
	}
	if from, ok := processor.RoutedBy(all, req.GetName()); ok {
		return nil, withInfo(codes.FailedPrecondition, fmt.Sprintf(
			"stream %q routes events to %q: remove that route from its pipeline first", from, req.GetName()), codeStreamInUse, "")
	}
	if err := s.cat.DeleteStream(ctx, s.actor(ctx), tenantID, req.GetName()); err != nil {
		return nil, statusOf(ctx, s.log, err, "stream")
	}
	return &trollyv1.DeleteStreamResponse{}, nil
}

func (s *streamService) toProto(ctx context.Context, st tenant.Stream) (*trollyv1.Stream, error) {
	out, err := streamToProto(st)
	if err != nil {
		return nil, statusOf(ctx, s.log, fmt.Errorf("decode parser of stream %s/%s: %w", st.TenantID, st.Name, err), "stream")
	}
	return out, nil
}
