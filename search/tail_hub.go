package search

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/tenant"
)

// Hub hands the events the indexer has written to the live tails of their tenant. The
// indexer's side (Publish) never waits: it appends the written batch to each of the
// tenant's tails, and a tail whose buffer would overflow is cut off instead. Each tail
// matches the events against its query on its reader's goroutine, so a costly query slows
// only its own reader. It is safe for concurrent use.
type Hub struct {
	cfg TailConfig

	mu       sync.RWMutex
	byTenant map[string]map[*subscriber]struct{}
	total    int
	closed   bool

	open    *prometheus.GaugeVec
	ended   *prometheus.CounterVec
	refused *prometheus.CounterVec
	sent    *prometheus.CounterVec
}

var _ Tailer = (*Hub)(nil)

// NewHub returns a hub of cfg (zero fields take their defaults); a nil reg registers no
// metrics.
func NewHub(cfg TailConfig, reg prometheus.Registerer) (*Hub, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("search.tail config: %w", err)
	}
	f := promauto.With(reg)
	return &Hub{
		cfg: cfg, byTenant: map[string]map[*subscriber]struct{}{},
		open: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_tails_open",
			Help: "Live tails open on the indexer, by tenant.",
		}, []string{"tenant"}),
		ended: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_tails_ended_total",
			Help: "Live tails ended, by reason: closed (by their reader), tail_too_slow, server_stopping.",
		}, []string{"reason"}),
		refused: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_tails_refused_total",
			Help: "Live tails refused, by reason: tail_tenant_limit (search.tail.max_per_tenant), tail_limit (search.tail.max_total).",
		}, []string{"reason"}),
		sent: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_tail_events_total",
			Help: "Events sent to live tails, by tenant.",
		}, []string{"tenant"}),
	}, nil
}

// Config returns the hub's configuration, defaults applied.
func (h *Hub) Config() TailConfig { return h.cfg }

// Tail opens a tail of req.Tenant's events that match req.Query.
func (h *Hub) Tail(_ context.Context, req TailRequest) (Tail, error) {
	s := &subscriber{
		hub: h, tenant: req.Tenant, match: query.Compile(req.Query),
		wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var err error
	switch subs := h.byTenant[req.Tenant]; {
	case h.closed:
		err = ErrTailClosed
	case h.total >= h.cfg.MaxTotal:
		err = ErrTailLimit
	case len(subs) >= h.cfg.MaxPerTenant:
		err = ErrTailTenantLimit
	}
	if err != nil {
		h.refused.WithLabelValues(TailCode(err)).Inc()
		return nil, err
	}
	if h.byTenant[req.Tenant] == nil {
		h.byTenant[req.Tenant] = map[*subscriber]struct{}{}
	}
	h.byTenant[req.Tenant][s] = struct{}{}
	h.total++
	h.open.WithLabelValues(tenant.IDOfKey(req.Tenant)).Inc()
	return s, nil
}

// Publish offers the docs just written to index to the tails of the index's tenant. It
// never blocks on a tail. The tails keep docs until read: they must not change afterwards.
func (h *Hub) Publish(index string, docs []Doc) {
	key, _, _, ok := ParseIndexName(index)
	if !ok || len(docs) == 0 {
		return
	}
	var cut []*subscriber
	h.mu.RLock()
	for s := range h.byTenant[key] {
		if !s.offer(index, docs, h.cfg.Buffer) {
			cut = append(cut, s)
		}
	}
	h.mu.RUnlock()
	for _, s := range cut {
		s.end(ErrTailTooSlow)
	}
}

// Close cuts every tail off with ErrTailClosed and refuses new ones.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	var all []*subscriber
	for _, subs := range h.byTenant {
		for s := range subs {
			all = append(all, s)
		}
	}
	h.mu.Unlock()
	for _, s := range all {
		s.end(ErrTailClosed)
	}
}

// remove frees s's place; reason names why it ended, for the metrics.
func (h *Hub) remove(s *subscriber, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.byTenant[s.tenant]
	if _, ok := subs[s]; !ok {
		return
	}
	delete(subs, s)
	if len(subs) == 0 {
		delete(h.byTenant, s.tenant)
	}
	h.total--
	h.open.WithLabelValues(tenant.IDOfKey(s.tenant)).Dec()
	h.ended.WithLabelValues(reason).Inc()
}

// published is one Publish as a tail holds it.
type published struct {
	index string
	docs  []Doc
}

type subscriber struct {
	hub    *Hub
	tenant string
	match  *query.Matcher

	mu      sync.Mutex
	pending []published
	n       int   // events in pending
	err     error // why it ended, once it has
	wake    chan struct{}
	done    chan struct{}

	// The reader's own.
	cur published
	doc ecs.Document
}

// offer appends docs unless that would hold more than limit events (a batch alone is
// taken whole); it reports false when s must be cut off.
func (s *subscriber) offer(index string, docs []Doc, limit int) bool {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return true // ended already; its reader removes it
	}
	if s.n > 0 && s.n+len(docs) > limit {
		s.mu.Unlock()
		return false
	}
	s.pending = append(s.pending, published{index, docs})
	s.n += len(docs)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// end ends s with err, drops what it holds, and frees its place.
func (s *subscriber) end(err error) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return
	}
	s.err, s.pending, s.n = err, nil, 0
	close(s.done)
	s.mu.Unlock()
	reason := TailCode(err)
	if reason == "" {
		reason = "closed"
	}
	s.hub.remove(s, reason)
}

// errClosedByReader ends a tail its reader closed.
var errClosedByReader = errors.New("live tail closed")

func (s *subscriber) Close() error {
	s.end(errClosedByReader)
	return nil
}

func (s *subscriber) Next(ctx context.Context) (Hit, error) {
	for {
		if err := s.refill(); err != nil {
			return Hit{}, err
		}
		for len(s.cur.docs) > 0 {
			d := s.cur.docs[0]
			s.cur.docs = s.cur.docs[1:]
			s.doc.Reset()
			// A stored event is valid JSON (Doc.Validate); one that is not matches nothing.
			if s.doc.MergeJSON(d.Source) == nil && s.match.Match(&s.doc) {
				s.hub.sent.WithLabelValues(tenant.IDOfKey(s.tenant)).Inc()
				return Hit{ID: d.ID, Index: s.cur.index, Timestamp: d.Timestamp, Source: d.Source}, nil
			}
		}
		if s.waiting() {
			select {
			case <-s.wake:
			case <-s.done:
			case <-ctx.Done():
				if s.waiting() {
					return Hit{}, ctx.Err()
				}
			}
		}
	}
}

// refill takes the next pending batch when the current one is read, and returns why s
// ended once it has.
func (s *subscriber) refill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		s.cur = published{}
		return s.err
	}
	if len(s.cur.docs) == 0 && len(s.pending) > 0 {
		s.cur = s.pending[0]
		s.pending[0] = published{}
		s.pending = s.pending[1:]
		s.n -= len(s.cur.docs)
	}
	return nil
}

// waiting reports whether nothing is left to read.
func (s *subscriber) waiting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cur.docs) == 0 && len(s.pending) == 0 && s.err == nil
}
