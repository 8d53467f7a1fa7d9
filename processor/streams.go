package processor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/trolly-logs/trolly/processor/sourcetype"
	"github.com/trolly-logs/trolly/tenant"
)

// Directory is where the processor finds a stream's settings; tenant.Cache is one.
type Directory interface {
	Stream(ctx context.Context, tenantID, name string) (tenant.Stream, error)
}

// streams compiles each stream's settings once and again only when they change.
type streams struct {
	dir         Directory
	sourceTypes *sourcetype.Registry
	log         *slog.Logger

	mu       sync.Mutex
	compiled map[streamKey]compiledStream
	plain    map[string]*Stream // by source type, for streams without settings
}

type streamKey struct{ tenant, stream string }

type compiledStream struct {
	sourceType string
	parser     []byte
	stream     *Stream
}

func newStreams(dir Directory, r *sourcetype.Registry, log *slog.Logger) *streams {
	return &streams{dir: dir, sourceTypes: r, log: log, compiled: map[streamKey]compiledStream{}, plain: map[string]*Stream{}}
}

// get returns the parsing of a raw batch's stream. The batch's source type rules: a batch
// queued before its stream changed type is parsed as it was sent, without the settings
// written for the other type. A stream that is gone, or whose settings no longer compile,
// is parsed by its source type alone. It returns ErrUnknownSourceType for a source type the
// processor does not have, and an error wrapping ErrInvalidSettings for settings that no
// longer compile.
func (s *streams) get(ctx context.Context, tenantID, name, sourceType string) (*Stream, error) {
	var st tenant.Stream
	if s.dir != nil {
		var err error
		st, err = s.dir.Stream(ctx, tenantID, name)
		if err != nil && !errors.Is(err, tenant.ErrNotFound) {
			s.log.Warn("look up stream settings", "tenant", tenantID, "stream", name, "err", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.SourceType != sourceType || len(st.Parser) == 0 {
		return s.plainLocked(sourceType)
	}
	key := streamKey{tenantID, name}
	if c, ok := s.compiled[key]; ok && c.sourceType == sourceType && bytes.Equal(c.parser, st.Parser) {
		return c.stream, nil
	}
	compiled, err := CompileStream(s.sourceTypes, sourceType, st.Parser)
	if err != nil {
		// The API refuses such settings; they can only come from an older version. Parsing
		// without them would skip the stream's redaction and drops: the batch goes to the
		// dead letters instead, to be sent again once the settings are mended.
		return nil, fmt.Errorf("stream %s/%s: %w", tenantID, name, err)
	}
	s.compiled[key] = compiledStream{sourceType: sourceType, parser: bytes.Clone(st.Parser), stream: compiled}
	return compiled, nil
}

func (s *streams) plainLocked(sourceType string) (*Stream, error) {
	if st, ok := s.plain[sourceType]; ok {
		return st, nil
	}
	if _, ok := s.sourceTypes.Lookup(sourceType); !ok {
		return nil, ErrUnknownSourceType
	}
	st, err := CompileStream(s.sourceTypes, sourceType, nil)
	if err != nil {
		return nil, err
	}
	s.plain[sourceType] = st
	return st, nil
}
