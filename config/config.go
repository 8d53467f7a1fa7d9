package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/trolly-logs/trolly/api"
	"github.com/trolly-logs/trolly/api/auth"
	"github.com/trolly-logs/trolly/bookkeeper"
	"github.com/trolly-logs/trolly/gateway"
	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/processor"
	"github.com/trolly-logs/trolly/queue/kafka"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/queue/nats"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/vlogs"
	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/tenant"
)

// Config is the whole configuration of a Trolly process.
type Config struct {
	// DataDir holds every embedded store: search indices, the archive.
	DataDir string `yaml:"data_dir"`
	// ShutdownTimeout bounds the drain at SIGINT/SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// MemoryLimit is the soft limit of the process's Go memory, in bytes (Go's
	// GOMEMLIMIT): near it, the garbage collector runs more often rather than let the heap
	// grow. 0 leaves Go's default (or the GOMEMLIMIT environment variable) in place.
	MemoryLimit int64                  `yaml:"memory_limit"`
	Log         Log                    `yaml:"log"`
	Admin       Admin                  `yaml:"admin"`
	API         api.Config             `yaml:"api"`
	Gateway     gateway.Config         `yaml:"gateway"`
	Queue       Queue                  `yaml:"queue"`
	Processor   processor.Config       `yaml:"processor"`
	Indexer     search.IndexerConfig   `yaml:"indexer"`
	Search      Search                 `yaml:"search"`
	Archiver    storage.ArchiverConfig `yaml:"archiver"`
	Archive     Archive                `yaml:"archive"`
	Bookkeeper  Bookkeeper             `yaml:"bookkeeper"`
	Metadata    Metadata               `yaml:"metadata"`
	Auth        auth.Config            `yaml:"auth"`
	Bootstrap   Bootstrap              `yaml:"bootstrap"`
	// Tenants are imported into the catalog at start and kept as the file says.
	Tenants []tenant.Config `yaml:"tenants"`
}

// Bookkeeper configures the upkeep of stored data: for now, the purge of deleted tenants'
// data, which the indexer and the archiver each run for their part.
type Bookkeeper struct {
	Purge bookkeeper.PurgeConfig `yaml:"purge"`
}

// Metadata selects the catalog of tenants, users, streams and keys: sqlite (embedded, one
// file) or postgres.
type Metadata struct {
	Driver string `yaml:"driver"`
	// DSN is the SQLite file, by default <data_dir>/catalog.db, or the PostgreSQL
	// connection string (postgres://user:password@host:5432/db?sslmode=...).
	DSN string `yaml:"dsn"`
	// RefreshInterval is how often each process checks the catalog for changes: a new or
	// revoked key takes effect within it.
	RefreshInterval time.Duration `yaml:"refresh_interval"`
}

// Bootstrap makes the first operator account on a catalog that has none; nothing else is
// made implicitly. Set it from the environment (TROLLY_BOOTSTRAP_OPERATOR_EMAIL and
// TROLLY_BOOTSTRAP_OPERATOR_PASSWORD) rather than in a file.
type Bootstrap struct {
	OperatorEmail    string `yaml:"operator_email"`
	OperatorPassword string `yaml:"operator_password"`
}

// Log configures the process log.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}

// Admin configures the listener of /metrics, /healthz, /readyz and /debug/pprof.
type Admin struct {
	Listen string `yaml:"listen"`
	// HTTP bounds the admin listener's connections and their timeouts; its write_timeout
	// must leave room for a CPU profile (30 s by default).
	HTTP httpx.Config `yaml:"http"`
}

// Queue drivers whose names the layers check.
const (
	QueueNATS = "nats"
	// QueueMemoryTestOnly is the in-process queue, which a crash empties.
	QueueMemoryTestOnly = "memory-test-only"
	// SearchEmbedded is the embedded search engine, VictoriaLogs' storage library.
	SearchEmbedded = "embedded"
)

// Queue selects the queue backend: nats (by default embedded in `trolly all`), rabbitmq,
// kafka, or memory-test-only (in process, for tests and benchmarks: a crash loses what it
// holds); only the selected section is validated.
type Queue struct {
	Driver   string          `yaml:"driver"`
	Memory   memory.Config   `yaml:"memory"`
	RabbitMQ rabbitmq.Config `yaml:"rabbitmq"`
	Kafka    kafka.Config    `yaml:"kafka"`
	NATS     nats.Config     `yaml:"nats"`
}

// Search selects the search backend.
type Search struct {
	Driver   string         `yaml:"driver"`
	Embedded EmbeddedSearch `yaml:"embedded"`
	// Gate bounds the searches the process runs at once: search.max_concurrent and
	// search.max_queue_wait.
	Gate search.GateConfig `yaml:",inline"`
	// Tail bounds live tails, on the indexer's hub and in the API.
	Tail search.TailConfig `yaml:"tail"`
}

// EmbeddedSearch configures the embedded engine (VictoriaLogs' storage). Only the process
// running the indexer opens it; in a deployment of several processes it serves searches to
// the others on Listen, and they reach it at URL.
type EmbeddedSearch struct {
	vlogs.Config `yaml:",inline"`
	// Listen is where the process running the indexer serves its engine's searches to the
	// API processes; empty: nowhere.
	Listen string `yaml:"listen"`
	// URL is where a process without the indexer searches the engine (http://host:port of
	// Listen), instead of opening its storage; empty: it opens the storage itself (`trolly
	// api` alone, on the data directory of a stopped `trolly all`).
	URL string `yaml:"url"`
	// Token authenticates those searches: required with Listen or URL.
	Token string `yaml:"token"`
}

// minTokenBytes is the shortest search.embedded.token taken.
const minTokenBytes = 16

func (e EmbeddedSearch) validate() error {
	errs := []error{e.Config.Validate()}
	if e.Listen != "" {
		if _, _, err := net.SplitHostPort(e.Listen); err != nil {
			errs = append(errs, fmt.Errorf("listen: must be host:port, got %q", e.Listen))
		}
	}
	if e.URL != "" {
		if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("url: must be http://host:port, got %q", e.URL))
		}
	}
	if (e.Listen != "" || e.URL != "") && len(e.Token) < minTokenBytes {
		errs = append(errs, fmt.Errorf("token: at least %d characters are required with listen or url", minTokenBytes))
	}
	return errors.Join(errs...)
}

// Archive selects the archive's object store.
type Archive struct {
	Driver string    `yaml:"driver"`
	FS     ArchiveFS `yaml:"fs"`
}

// ArchiveFS is the archive on the local file system.
type ArchiveFS struct {
	Dir string `yaml:"dir"`
}

// Parse reads a YAML configuration strictly. An empty document is an empty configuration.
func Parse(r io.Reader) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	return c, nil
}

// ApplyDefaults fills in every unset value; stores without a directory go under DataDir.
func (c *Config) ApplyDefaults() {
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	if c.Admin.Listen == "" {
		c.Admin.Listen = "127.0.0.1:8090"
	}
	c.Admin.HTTP.ApplyDefaults()
	c.API.ApplyDefaults()
	c.Gateway.ApplyDefaults()
	if c.Queue.Driver == "" {
		c.Queue.Driver = QueueNATS
		// The durable default: a NATS server inside `trolly all`, unless one is named.
		if c.Queue.NATS.URL == "" {
			c.Queue.NATS.Embedded = true
		}
	}
	memShare, natsShare := c.Queue.Memory.MaxTenantBacklogBytes == 0, c.Queue.NATS.MaxTenantBacklogBytes == 0
	c.Queue.Memory.ApplyDefaults()
	c.Queue.RabbitMQ.ApplyDefaults()
	c.Queue.Kafka.ApplyDefaults()
	if c.Queue.NATS.Embedded && c.Queue.NATS.Dir == "" {
		c.Queue.NATS.Dir = filepath.Join(c.DataDir, "queue")
	}
	c.Queue.NATS.ApplyDefaults()
	c.Processor.ApplyDefaults()
	c.Indexer.ApplyDefaults()
	if c.Search.Driver == "" {
		c.Search.Driver = SearchEmbedded
	}
	if c.Search.Embedded.Dir == "" {
		c.Search.Embedded.Dir = filepath.Join(c.DataDir, "search")
	}
	c.Search.Embedded.ApplyDefaults()
	c.Search.Gate.ApplyDefaults()
	c.Search.Tail.ApplyDefaults()
	c.Archiver.ApplyDefaults()
	// Unset, a tenant's share of the backlog is raised to what validateTenantBacklog asks.
	if memShare {
		c.Queue.Memory.MaxTenantBacklogBytes = min(max(c.Queue.Memory.MaxTenantBacklogBytes, c.tenantBacklogRoom()), c.Queue.Memory.MaxBacklogBytes)
	}
	if natsShare {
		c.Queue.NATS.MaxTenantBacklogBytes = min(max(c.Queue.NATS.MaxTenantBacklogBytes, c.tenantBacklogRoom()), c.Queue.NATS.MaxBacklogBytes)
	}
	c.Bookkeeper.Purge.ApplyDefaults()
	if c.Archive.Driver == "" {
		c.Archive.Driver = "fs"
	}
	if c.Archive.FS.Dir == "" {
		c.Archive.FS.Dir = filepath.Join(c.DataDir, "archive")
	}
	if c.Metadata.Driver == "" {
		c.Metadata.Driver = "sqlite"
	}
	if c.Metadata.Driver == "sqlite" && c.Metadata.DSN == "" {
		c.Metadata.DSN = filepath.Join(c.DataDir, "catalog.db")
	}
	if c.Metadata.RefreshInterval == 0 {
		c.Metadata.RefreshInterval = time.Second
	}
	c.Auth.ApplyDefaults()
}

// Validate reports every bad value, one per line, each prefixed by its key.
func (c *Config) Validate() error {
	var errs []error
	add := func(section string, err error) { errs = append(errs, prefixed(section, err)...) }
	if c.MemoryLimit != 0 && c.MemoryLimit < 64<<20 {
		errs = append(errs, fmt.Errorf("memory_limit: must be 0 (none) or at least 64 MiB, got %d", c.MemoryLimit))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown_timeout: must be > 0, got %s", c.ShutdownTimeout))
	}
	if _, err := LogLevel(c.Log.Level); err != nil {
		errs = append(errs, fmt.Errorf("log.level: %w", err))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		errs = append(errs, fmt.Errorf("log.format: must be text or json, got %q", c.Log.Format))
	}
	for key, addr := range map[string]string{"admin.listen": c.Admin.Listen, "api.listen": c.API.Listen, "gateway.listen": c.Gateway.Listen} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not host:port", key, addr))
		}
	}
	add("admin.http", c.Admin.HTTP.Validate())
	add("api", c.API.Validate())
	add("gateway", c.Gateway.Validate())
	if c.Queue.Driver == "memory" {
		errs = append(errs, fmt.Errorf("queue.driver: %q is now %q, for tests and benchmarks only: a crash loses what it holds; leave queue.driver unset for the embedded NATS queue, which keeps it on disk", c.Queue.Driver, QueueMemoryTestOnly))
	} else {
		errs = append(errs, oneOf("queue.driver", c.Queue.Driver, QueueNATS, "rabbitmq", "kafka", QueueMemoryTestOnly))
	}
	switch c.Queue.Driver {
	case QueueMemoryTestOnly:
		add("queue.memory", c.Queue.Memory.Validate())
	case "rabbitmq":
		add("queue.rabbitmq", c.Queue.RabbitMQ.Validate())
	case "kafka":
		add("queue.kafka", c.Queue.Kafka.Validate())
	case "nats":
		add("queue.nats", c.Queue.NATS.Validate())
	}
	add("processor", c.Processor.Validate())
	add("indexer", c.Indexer.Validate())
	errs = append(errs, oneOf("search.driver", c.Search.Driver, SearchEmbedded))
	if c.Search.Driver == SearchEmbedded {
		add("search.embedded", c.Search.Embedded.validate())
	}
	add("search", c.Search.Gate.Validate())
	add("search.tail", c.Search.Tail.Validate())
	add("archiver", c.Archiver.Validate())
	add("bookkeeper.purge", c.Bookkeeper.Purge.Validate())
	errs = append(errs, oneOf("archive.driver", c.Archive.Driver, "fs"))
	errs = append(errs, oneOf("metadata.driver", c.Metadata.Driver, "sqlite", "postgres"))
	if c.Metadata.DSN == "" {
		errs = append(errs, fmt.Errorf("metadata.dsn: is required for %s", c.Metadata.Driver))
	}
	if c.Metadata.RefreshInterval <= 0 {
		errs = append(errs, fmt.Errorf("metadata.refresh_interval: must be > 0, got %s", c.Metadata.RefreshInterval))
	}
	add("auth", c.Auth.Validate())
	errs = append(errs, c.Bootstrap.validate()...)
	errs = append(errs, c.validateTenants()...)
	errs = append(errs, c.validateQueueRoom(), c.validateTenantBacklog())
	return errors.Join(errs...)
}

// tenantBacklogRoom is the least share of the backlog a tenant needs while nothing is wrong.
func (c *Config) tenantBacklogRoom() int64 {
	return c.Archiver.MaxBufferedBytes + 4*c.Gateway.MaxBodyBytes
}

// validateTenantBacklog checks that a tenant's share of the backlog can hold what a healthy
// archiver keeps of one tenant (all of its buffer, when that tenant ships alone) and a few
// large batches: a smaller one would refuse the tenant while nothing is wrong. A share
// equal to the whole budget turns it off.
func (c *Config) validateTenantBacklog() error {
	var key string
	var total, share int64
	switch c.Queue.Driver {
	case QueueMemoryTestOnly:
		key, total, share = "queue.memory", c.Queue.Memory.MaxBacklogBytes, c.Queue.Memory.MaxTenantBacklogBytes
	case QueueNATS:
		key, total, share = "queue.nats", c.Queue.NATS.MaxBacklogBytes, c.Queue.NATS.MaxTenantBacklogBytes
	default:
		return nil
	}
	need := c.tenantBacklogRoom()
	if share >= total || share >= need {
		return nil
	}
	return fmt.Errorf("%s.max_tenant_backlog_bytes: must be at least %d (archiver.max_buffered_bytes + 4 x gateway.max_body_bytes), or max_backlog_bytes to turn it off, got %d",
		key, need, share)
}

// validateQueueRoom checks that the in-process queue can hold the largest messages the
// layers publish, which otherwise fail only when such a batch arrives. A raw batch of tiny
// lines can weigh about three times its body once framed, hence the margin.
func (c *Config) validateQueueRoom() error {
	var section string
	var maxBytes, budget int64
	switch {
	case c.Queue.Driver == QueueMemoryTestOnly:
		section, maxBytes, budget = "queue.memory", c.Queue.Memory.MaxBytes, c.Queue.Memory.MaxBacklogBytes
	case c.Queue.Driver == QueueNATS && c.Queue.NATS.Embedded:
		section, maxBytes, budget = "queue.nats", c.Queue.NATS.MaxBytes, c.Queue.NATS.MaxBacklogBytes
	default:
		return nil // a server's limits are its own configuration
	}
	need := max(4*c.Gateway.MaxBodyBytes, 2*int64(c.Processor.MaxMessageBytes))
	if maxBytes < need {
		return fmt.Errorf("%s.max_bytes: must be at least %d to hold the largest batches (4 x gateway.max_body_bytes, 2 x processor.max_message_bytes), got %d",
			section, need, maxBytes)
	}
	// The events the archiver buffers stay on the queue until their chunk is written.
	if 2*c.Archiver.MaxBufferedBytes > maxBytes {
		return fmt.Errorf("archiver.max_buffered_bytes: must be at most half of %s.max_bytes (%d), whose room it holds until written, got %d",
			section, maxBytes, c.Archiver.MaxBufferedBytes)
	}
	// A budget below what a healthy archiver holds, or below one large batch, would refuse
	// input while nothing is wrong.
	if need := max(4*c.Gateway.MaxBodyBytes, 2*c.Archiver.MaxBufferedBytes); budget < need {
		return fmt.Errorf("%s.max_backlog_bytes: must be at least %d (4 x gateway.max_body_bytes, 2 x archiver.max_buffered_bytes), got %d",
			section, need, budget)
	}
	return nil
}

func (c *Config) validateTenants() []error {
	_, err := tenant.NewStatic(c.Tenants)
	errs := prefixed("", err)
	for i, t := range c.Tenants {
		for j, s := range t.Streams {
			if s.SourceType == "" {
				continue // NewStatic says it is required
			}
			parser, err := s.ParserJSON()
			if err != nil {
				continue // NewStatic says why
			}
			st, err := processor.CompileStream(nil, s.SourceType, parser)
			var se *processor.SettingsError
			switch {
			case errors.As(err, &se):
				errs = append(errs, fmt.Errorf("tenants[%d].streams[%d].%s: %s", i, j, se.Field, se.Msg))
				continue
			case err != nil:
				errs = append(errs, fmt.Errorf("tenants[%d].streams[%d]: %w", i, j, err))
				continue
			}
			for _, to := range st.RouteStreams() {
				if !slices.ContainsFunc(t.Streams, func(o tenant.StreamConfig) bool { return o.Name == to }) {
					errs = append(errs, fmt.Errorf("tenants[%d].streams[%d].parser.pipeline: routes to stream %q, which tenant %s does not have", i, j, to, t.ID))
				}
			}
		}
	}
	return errs
}

func (b Bootstrap) validate() []error {
	switch {
	case b.OperatorEmail == "" && b.OperatorPassword == "":
		return nil
	case b.OperatorEmail == "" || b.OperatorPassword == "":
		return []error{errors.New("bootstrap: operator_email and operator_password go together")}
	}
	var errs []error
	if _, err := tenant.NormalizeEmail(b.OperatorEmail); err != nil {
		errs = append(errs, fmt.Errorf("bootstrap.operator_email: %q is not an email address", b.OperatorEmail))
	}
	if err := tenant.ValidPassword(b.OperatorPassword); err != nil {
		errs = append(errs, fmt.Errorf("bootstrap.operator_%w", err))
	}
	return errs
}

func oneOf(key, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s: must be one of %s, got %q", key, strings.Join(allowed, ", "), v)
}

// prefixed splits a joined error into its parts, each prefixed by section.
func prefixed(section string, err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, prefixed(section, e)...)
		}
		return out
	}
	if section == "" {
		return []error{err}
	}
	return []error{fmt.Errorf("%s.%w", section, err)}
}

// LogLevel parses a level name.
func LogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("must be debug, info, warn or error, got %q", s)
	}
	return l, nil
}
