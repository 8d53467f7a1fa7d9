package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/api"
	"github.com/trolly-logs/trolly/api/auth"
	"github.com/trolly-logs/trolly/bookkeeper"
	"github.com/trolly-logs/trolly/config"
	"github.com/trolly-logs/trolly/gateway"
	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/processor"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/kafka"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/queue/nats"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/remote"
	"github.com/trolly-logs/trolly/search/vlogs"
	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/fs"
	"github.com/trolly-logs/trolly/tenant"
)

// Layers a process can run.
const (
	layerGateway   = "gateway"
	layerProcessor = "processor"
	layerIndexer   = "indexer"
	layerArchiver  = "archiver"
	layerAPI       = "api"
)

// targets maps each command to the layers it runs.
var targets = map[string][]string{
	"all":          {layerGateway, layerProcessor, layerIndexer, layerArchiver, layerAPI},
	layerGateway:   {layerGateway},
	layerProcessor: {layerProcessor},
	layerIndexer:   {layerIndexer},
	layerArchiver:  {layerArchiver},
	layerAPI:       {layerAPI},
}

// builder assembles the components of one process; what it opens it closes in close.
type builder struct {
	cfg    *config.Config
	log    *slog.Logger
	reg    prometheus.Registerer
	layers map[string]bool

	cat     tenant.Catalog
	dir     *tenant.Cache
	q       queue.Queue
	backend search.Backend
	// hub serves live tails in the process running the indexer.
	hub     *search.Hub
	closers []func() error
	// background runs what the other stages need until they have stopped: the catalog's
	// refresh, the signing keys' rotation.
	background stage
	// ready are the conditions of the process's readiness besides its start: the sinks', the
	// gateway's backlog.
	ready []func() error
}

func (b *builder) has(layer string) bool { return b.layers[layer] }

// open opens the stores the layers need and declares the queue's topics.
func (b *builder) open(ctx context.Context, cmd string) error {
	if b.needsCatalog() {
		if err := b.openTenants(ctx); err != nil {
			return err
		}
	}
	if b.has(layerGateway) || b.has(layerProcessor) || b.has(layerIndexer) || b.has(layerArchiver) {
		if err := b.openQueue(ctx, cmd); err != nil {
			return err
		}
	}
	if b.has(layerIndexer) || b.has(layerAPI) {
		be, err := b.openSearch()
		if err != nil {
			return fmt.Errorf("open search backend: %w", err)
		}
		b.backend = be
		b.closers = append(b.closers, be.Close)
	}
	if b.has(layerIndexer) {
		hub, err := search.NewHub(b.cfg.Search.Tail, b.reg)
		if err != nil {
			return err
		}
		b.hub = hub
	}
	return nil
}

// tails is where the API opens live tails: the hub of the process's indexer, or the one
// of the indexer whose engine it searches; nil: nowhere.
func (b *builder) tails() search.Tailer {
	if b.hub != nil {
		return b.hub
	}
	if c, ok := b.backend.(*remote.Client); ok {
		return c
	}
	return nil
}

// openSearch opens the search backend. On the embedded engine, a process without the
// indexer searches the engine of the process with it when search.embedded.url is set.
func (b *builder) openSearch() (search.Backend, error) {
	e := b.cfg.Search.Embedded
	if !b.has(layerIndexer) && e.URL != "" {
		return remote.NewClient(e.URL, e.Token), nil
	}
	return vlogs.Open(e.Config, func(ctx context.Context, key string) (int, error) {
		t, err := b.dir.Tenant(ctx, tenant.IDOfKey(key))
		if err != nil {
			return 0, err
		}
		return t.Retention.SearchDays, nil
	})
}

func (b *builder) openQueue(ctx context.Context, cmd string) error {
	var q queue.Queue
	var err error
	switch b.cfg.Queue.Driver {
	case config.QueueMemoryTestOnly:
		if cmd != "all" {
			return fmt.Errorf("queue.driver: the memory queue lives inside one process, so `trolly %s` would share it with nobody; run `trolly all`, or configure rabbitmq, kafka or nats", cmd)
		}
		q, err = memory.New(b.cfg.Queue.Memory, b.reg)
	case "rabbitmq":
		q, err = rabbitmq.New(b.cfg.Queue.RabbitMQ, rabbitmq.Options{Logger: b.log, Registerer: b.reg, KeyMaxBytes: b.keyMaxBytes})
	case "kafka":
		q, err = kafka.New(b.cfg.Queue.Kafka, b.log, b.reg)
	case "nats":
		if b.cfg.Queue.NATS.Embedded && cmd != "all" && cmd != "dead-letters" {
			return fmt.Errorf("queue.nats.embedded: the embedded NATS server lives inside one process, so `trolly %s` would share it with nobody; run `trolly all`, or set queue.nats.url", cmd)
		}
		q, err = nats.New(b.cfg.Queue.NATS, nats.Options{Logger: b.log.With("component", "queue"), Registerer: b.reg})
	}
	if err != nil {
		return fmt.Errorf("open %s queue: %w", b.cfg.Queue.Driver, err)
	}
	b.q = q
	b.closers = append(b.closers, q.Close)
	if err := q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor); err != nil {
		return fmt.Errorf("declare %s: %w", queue.TopicRaw, err)
	}
	if err := q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer, queue.GroupArchiver); err != nil {
		return fmt.Errorf("declare %s: %w", queue.TopicEvents, err)
	}
	return b.declareStreams(ctx)
}

// keyDeclarer is a queue with a queue per key, declared when its stream is created.
type keyDeclarer interface {
	DeclareKey(ctx context.Context, topic, key string) error
}

// keyMaxBytes is the limit of a raw queue per stream: its tenant's queue_max_bytes.
func (b *builder) keyMaxBytes(key string) int64 {
	id, _, _ := strings.Cut(key, "/")
	if b.dir == nil {
		return 0
	}
	t, err := b.dir.Tenant(context.Background(), id)
	if err != nil {
		return 0
	}
	return t.Limits.QueueMaxBytes
}

// stages returns the components in the order they stop: the edge first, then each layer
// downstream of it, the API last.
func (b *builder) stages(lns listeners) ([]*stage, error) {
	var edge, processing, sinks, serving stage
	edge.name, processing.name, sinks.name, serving.name = "edge", "processing", "sinks", "serving"
	processing.seal = []string{queue.TopicRaw}
	sinks.seal = []string{queue.TopicEvents}
	if b.has(layerGateway) {
		g := gateway.New(b.cfg.Gateway, b.dir, b.q, b.log, b.reg)
		b.ready = append(b.ready, g.Ready)
		edge.add(layerGateway, func(ctx context.Context) error { return g.Serve(ctx, lns.gateway) })
		addSyslog(&edge, g, lns)
	}
	if b.has(layerProcessor) {
		var dir processor.Directory
		if b.dir != nil { // a typed nil would be a directory that panics
			dir = b.dir
		}
		p := processor.New(b.cfg.Processor, b.q, dir, b.log, b.reg)
		processing.add(layerProcessor, p.Run)
	}
	if b.has(layerIndexer) {
		ix := search.NewIndexer(b.cfg.Indexer, b.q, search.Publishing(b.backend, b.hub), b.dir, b.log, b.reg)
		sinks.add(layerIndexer, func(ctx context.Context) error {
			defer b.hub.Close() // no more events: the tails end, and do not hold the API's stop
			return ix.Run(ctx)
		})
		p := bookkeeper.NewPurger(b.cfg.Bookkeeper.Purge, b.cat, tenant.PurgeSearch, b.backend.DropTenant, b.log, b.reg, time.Now)
		b.background.add("search purge", p.Run) // cancelled, not drained, at stop
		b.ready = append(b.ready, ix.Ready)
	}
	if b.has(layerArchiver) {
		bucket, err := fs.New(b.cfg.Archive.FS.Dir)
		if err != nil {
			return nil, fmt.Errorf("open archive: %w", err)
		}
		a := storage.NewArchiver(b.cfg.Archiver, b.q, bucket, b.log, b.reg, time.Now)
		sinks.add(layerArchiver, a.Run)
		p := bookkeeper.NewPurger(b.cfg.Bookkeeper.Purge, b.cat, tenant.PurgeArchive, func(ctx context.Context, key string) (int, error) {
			return storage.DropTenant(ctx, bucket, key)
		}, b.log, b.reg, time.Now)
		b.background.add("archive purge", p.Run)
		b.ready = append(b.ready, a.Ready)
	}
	if b.has(layerAPI) {
		authn := auth.New(b.cfg.Auth, b.cat, b.dir, b.log.With("component", "auth"), b.reg, time.Now)
		b.background.add("auth", authn.Run)
		slots, err := search.NewGate(b.cfg.Search.Gate, b.reg)
		if err != nil {
			return nil, err
		}
		apiCfg := b.cfg.API
		apiCfg.Tail = b.cfg.Search.Tail
		srv, err := api.New(apiCfg, api.Deps{Catalog: b.cat, Directory: b.dir, Auth: authn, Backend: b.backend, Gate: slots, Tails: b.tails()}, b.log, b.reg)
		if err != nil {
			return nil, err
		}
		serving.add(layerAPI, func(ctx context.Context) error { return srv.Serve(ctx, lns.api) })
	}
	if lns.search != nil {
		h := remote.Handler(b.backend, b.hub, b.cfg.Search.Embedded.Token, b.log.With("component", "search"))
		guard := httpx.NewGuard("search", b.cfg.Admin.HTTP, b.reg)
		srv := guard.Server(h)
		serving.add("search listener", func(ctx context.Context) error {
			return httpx.Serve(ctx, srv, guard.Listener(lns.search), time.Second)
		})
	}
	var out []*stage
	b.background.name = "background"
	for _, s := range []*stage{&edge, &processing, &sinks, &serving, &b.background} {
		if len(s.components) > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

// close releases what open opened, last first.
func (b *builder) close() error {
	var first error
	for i := len(b.closers) - 1; i >= 0; i-- {
		if err := b.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// listeners are bound before anything starts, so a taken port fails the start at once.
type listeners struct {
	admin, gateway, api net.Listener
	// search serves the embedded engine's searches to other processes, or is nil.
	search net.Listener
	// The syslog listeners, each nil when off.
	syslogTCP, syslogTLS net.Listener
	syslogTLSConfig      *tls.Config
	syslogUDP            *net.UDPConn
}

func (b *builder) listen() (listeners, error) {
	var lns listeners
	var err error
	bind := func(addr, what string) net.Listener {
		if err != nil {
			return nil
		}
		var ln net.Listener
		if ln, err = net.Listen("tcp", addr); err != nil {
			err = fmt.Errorf("%s listener: %w", what, err)
			return nil
		}
		b.closers = append(b.closers, func() error { ln.Close(); return nil }) // closed already once served
		return ln
	}
	lns.admin = bind(b.cfg.Admin.Listen, "admin")
	if b.has(layerGateway) {
		lns.gateway = bind(b.cfg.Gateway.Listen, "ingest")
		if serr := b.listenSyslog(&lns, bind); serr != nil && err == nil {
			err = serr
		}
	}
	if b.has(layerAPI) {
		lns.api = bind(b.cfg.API.Listen, "api")
	}
	if b.has(layerIndexer) && b.cfg.Search.Driver == config.SearchEmbedded && b.cfg.Search.Embedded.Listen != "" {
		lns.search = bind(b.cfg.Search.Embedded.Listen, "search")
	}
	return lns, err
}
