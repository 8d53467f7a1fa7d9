package processor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/trolly-logs/trolly/processor/sourcetype"
	"github.com/trolly-logs/trolly/tenant"
)

// Directory is where the processor finds a stream's settings; tenant.Cache is one.
type Directory interface {
	Stream(ctx context.Context, tenantID, name string) (tenant.Stream, error)
}

// errDirectory wraps a failure of the Directory other than not-found (a catalog that is
// not loaded yet, a database that is down): it may pass, so the batch is held and retried.
var errDirectory = errors.New("look up stream settings")

// minSweep is the number of compiled streams below which the cache is never swept.
const minSweep = 64

// streams compiles each stream's settings once and again only when they change. A compile
// holds no shared lock: a stream's first batch waits for its own compile only.
type streams struct {
	dir   Directory
	plain *plainStreams

	mu       sync.Mutex
	compiled map[streamKey]*compiling
	// sweepAt is the size at which the next get forgets the streams the directory no
	// longer has, twice the size the last sweep left: amortised, and the cache stays
	// within twice the live streams.
	sweepAt int
}

type streamKey struct{ tenant, stream string }

// compiling is one compile of a stream's settings; done closes when stream and err are set.
type compiling struct {
	sourceType string
	parser     []byte
	done       chan struct{}
	stream     *Stream
	err        error
}

func newStreams(dir Directory, r *sourcetype.Registry) *streams {
	return &streams{dir: dir, plain: newPlainStreams(r, true), compiled: map[streamKey]*compiling{}, sweepAt: minSweep}
}

// get returns the parsing of a raw batch's stream. The batch's source type rules: a batch
// queued before its stream changed type is parsed as it was sent, without the settings
// written for the other type. A stream that is gone is parsed by its source type alone. It
// returns ErrUnknownSourceType for a source type the processor does not have, an error
// wrapping ErrInvalidSettings for settings that no longer compile, and one wrapping
// errDirectory when the directory cannot say: parsing without the settings would skip the
// stream's redaction and drops.
func (s *streams) get(ctx context.Context, tenantID, name, sourceType string) (*Stream, error) {
	if s.dir == nil {
		return s.plain.get(sourceType)
	}
	key := streamKey{tenantID, name}
	st, err := s.dir.Stream(ctx, tenantID, name)
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		s.forget(key)
		return s.plain.get(sourceType)
	case err != nil:
		return nil, fmt.Errorf("%w of %s/%s: %w", errDirectory, tenantID, name, err)
	case st.SourceType != sourceType || len(st.Parser) == 0:
		return s.plain.get(sourceType)
	}
	c, mine := s.entry(ctx, key, st)
	if mine {
		c.stream, c.err = CompileStream(s.plain.r, sourceType, st.Parser)
		if c.err != nil {
			// The API refuses such settings; they can only come from an older version. The
			// batch goes to the dead letters, to be sent again once the settings are mended.
			c.err = fmt.Errorf("stream %s/%s: %w", tenantID, name, c.err)
		}
		close(c.done)
	}
	select {
	case <-c.done:
		return c.stream, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// entry returns the compile of st's settings, starting one (mine) when there is none yet.
func (s *streams) entry(ctx context.Context, key streamKey, st tenant.Stream) (c *compiling, mine bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.compiled[key]; ok && c.sourceType == st.SourceType && bytes.Equal(c.parser, st.Parser) {
		return c, false
	}
	if len(s.compiled) >= s.sweepAt {
		s.sweepLocked(ctx)
	}
	c = &compiling{sourceType: st.SourceType, parser: bytes.Clone(st.Parser), done: make(chan struct{})}
	s.compiled[key] = c
	return c, true
}

// sweepLocked forgets the streams the directory no longer has, or has with other settings.
// The directory is in memory (tenant.Cache); one that fails keeps the entry.
func (s *streams) sweepLocked(ctx context.Context) {
	for key, c := range s.compiled {
		st, err := s.dir.Stream(ctx, key.tenant, key.stream)
		if errors.Is(err, tenant.ErrNotFound) || (err == nil && (st.SourceType != c.sourceType || !bytes.Equal(st.Parser, c.parser))) {
			delete(s.compiled, key)
		}
	}
	s.sweepAt = max(minSweep, 2*len(s.compiled))
}

func (s *streams) forget(key streamKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.compiled, key)
}

// plainStreams compiles the parsing of each source type without settings, once.
type plainStreams struct {
	r *sourcetype.Registry
	// bounded keeps the default bounds on event times; without, a parser's reading shows
	// as it is.
	bounded bool

	mu sync.Mutex
	m  map[string]*Stream
}

func newPlainStreams(r *sourcetype.Registry, bounded bool) *plainStreams {
	if r == nil {
		r = sourcetype.Builtin()
	}
	return &plainStreams{r: r, bounded: bounded, m: map[string]*Stream{}}
}

// get returns the parsing of sourceType, or ErrUnknownSourceType.
func (p *plainStreams) get(sourceType string) (*Stream, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.m[sourceType]; ok {
		return st, nil
	}
	if _, ok := p.r.Lookup(sourceType); !ok {
		return nil, ErrUnknownSourceType
	}
	st, err := CompileStream(p.r, sourceType, nil)
	if err != nil {
		return nil, err
	}
	if !p.bounded {
		st.maxPast, st.maxFuture = 0, 0
	}
	p.m[sourceType] = st
	return st, nil
}
