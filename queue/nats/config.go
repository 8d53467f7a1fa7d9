package nats

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"time"

	"github.com/trolly-logs/trolly/queue"
)

// Defaults of Config.
const (
	DefaultURL             = "nats://127.0.0.1:4222"
	DefaultPrefix          = "TROLLY"
	DefaultMaxBytes        = 1 << 30
	DefaultMaxMessageBytes = 8 << 20
	DefaultReplicas        = 1
	DefaultPublishTimeout  = 10 * time.Second
	DefaultAckWait         = 30 * time.Second
	DefaultNackDelay       = 200 * time.Millisecond
	DefaultMaxAckPending   = 1000
	DefaultMaxBacklogBytes = 1 << 30
	DefaultConnectionName  = "trolly"
)

// Fsync settings of the embedded server (Config.Fsync).
const (
	// FsyncAlways syncs the store before a publish is acknowledged.
	FsyncAlways = "always"
	// FsyncInterval syncs it every two minutes (the server's default): faster, but a
	// crash of the machine may lose what was acknowledged since.
	FsyncInterval = "interval"
)

// minAckWait leaves the keep-alive of held deliveries, every third of ack_wait, time to
// arrive.
const minAckWait = 300 * time.Millisecond

// maxMessageBytes is the largest payload a NATS server takes (its max_payload limit).
const maxMessageBytes = 64 << 20

var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Config configures the NATS backend. Every process of a deployment must use the same
// prefix: it names the streams and subjects they share.
type Config struct {
	// URL of the NATS server or cluster (nats:// or tls://; several separated by commas).
	// Exclusive with Embedded; DefaultURL when neither is set.
	URL string `yaml:"url"`
	// Embedded runs a NATS server inside the process, storing its streams in Dir: for
	// `trolly all`, whose layers share the process.
	Embedded bool `yaml:"embedded"`
	// Dir is the embedded server's store (the top-level config sets <data_dir>/queue).
	Dir string `yaml:"dir"`
	// Fsync of the embedded server: "always" (default) syncs before acknowledging a
	// publish, "interval" every two minutes. A cluster's own configuration decides its.
	Fsync string `yaml:"fsync"`
	// Compression of the bodies in the streams: "zstd" (default) or "none". Every process
	// reads both, whatever its own setting.
	Compression string `yaml:"compression"`
	// Prefix names the streams ("<prefix>_<topic>") and subjects: letters, digits, '_'
	// and '-'.
	Prefix string `yaml:"prefix"`
	// MaxBytes bounds each topic's stream: past it the server refuses publishes and
	// Publish fails with queue.ErrFull. It also bounds the dead letters, dropping the
	// oldest.
	MaxBytes int64 `yaml:"max_bytes"`
	// MaxMessageBytes bounds one message body; larger ones fail with queue.ErrTooLarge.
	// A cluster's max_payload must allow it.
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// Replicas of each stream, for a cluster (1 to 5).
	Replicas int `yaml:"replicas"`
	// PublishTimeout bounds the wait for the server's acknowledgements of a Publish.
	PublishTimeout time.Duration `yaml:"publish_timeout"`
	// AckWait is how long the server waits for a consumer that stopped answering (a
	// crashed process) before it delivers what that consumer held again. A live consumer
	// holds its deliveries as long as it needs: they are kept in progress.
	AckWait time.Duration `yaml:"ack_wait"`
	// MaxDeliver bounds the deliveries of a message (0: unlimited). Past it the server
	// stops delivering it, and it stays in the stream: prefer Reject.
	MaxDeliver int `yaml:"max_deliver"`
	// NackDelay is how long a nacked delivery waits before it is delivered again.
	NackDelay time.Duration `yaml:"nack_delay"`
	// MaxAckPending bounds the unsettled deliveries of a group, all consumers together.
	MaxAckPending int `yaml:"max_ack_pending"`
	// MaxBacklogBytes is the budget of the bytes in the topics' streams, as stored
	// (compressed), of what some group has not acknowledged: past it the gateway refuses new input (queue.Backlogger).
	MaxBacklogBytes int64 `yaml:"max_backlog_bytes"`
	// MaxTenantBacklogBytes is each tenant's budget of that backlog (the messages of its
	// keys, "<tenant>/<stream>", that some group has not acknowledged): past it the gateway
	// refuses the tenant's input with 429 (queue.TenantBacklogger), and the others' goes on.
	// The default is queue.DefaultTenantBudget of MaxBacklogBytes; MaxBacklogBytes turns it
	// off.
	MaxTenantBacklogBytes int64 `yaml:"max_tenant_backlog_bytes"`
	// ConnectionName names the connection in the server's monitoring.
	ConnectionName string `yaml:"connection_name"`
	// User and Password authenticate to a cluster; CredsFile is a NATS credentials file
	// (JWT and nkey) instead.
	User      string `yaml:"user"`
	Password  string `yaml:"password"`
	CredsFile string `yaml:"creds_file"`
	// CAFile is a PEM bundle of the authorities that sign the servers' certificates;
	// CertFile and KeyFile are a client certificate, for servers that verify clients.
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// DefaultConfig returns the configuration used when none is given: the server at
// DefaultURL.
func DefaultConfig() Config {
	var c Config
	c.ApplyDefaults()
	return c
}

// ApplyDefaults sets every zero field to its default.
func (c *Config) ApplyDefaults() {
	if c.URL == "" && !c.Embedded {
		c.URL = DefaultURL
	}
	if c.Embedded && c.Fsync == "" {
		c.Fsync = FsyncAlways
	}
	setDefault(&c.Compression, CompressionZstd)
	setDefault(&c.Prefix, DefaultPrefix)
	setDefault(&c.MaxBytes, DefaultMaxBytes)
	setDefault(&c.MaxMessageBytes, DefaultMaxMessageBytes)
	setDefault(&c.Replicas, DefaultReplicas)
	setDefault(&c.PublishTimeout, DefaultPublishTimeout)
	setDefault(&c.AckWait, DefaultAckWait)
	setDefault(&c.NackDelay, DefaultNackDelay)
	setDefault(&c.MaxAckPending, DefaultMaxAckPending)
	setDefault(&c.MaxBacklogBytes, DefaultMaxBacklogBytes)
	setDefault(&c.MaxTenantBacklogBytes, queue.DefaultTenantBudget(c.MaxBacklogBytes))
	setDefault(&c.ConnectionName, DefaultConnectionName)
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Validate reports every invalid field, naming its key.
func (c Config) Validate() error {
	errs := c.validateServer()
	if !prefixPattern.MatchString(c.Prefix) {
		errs = append(errs, fmt.Errorf("prefix: must be 1 to 64 letters, digits, '_' or '-', got %q", c.Prefix))
	}
	if c.Compression != CompressionZstd && c.Compression != CompressionNone {
		errs = append(errs, fmt.Errorf("compression: must be %q or %q, got %q", CompressionZstd, CompressionNone, c.Compression))
	}
	if c.MaxBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_bytes: must be > 0, got %d", c.MaxBytes))
	}
	if c.MaxMessageBytes <= 0 || c.MaxMessageBytes > maxMessageBytes {
		errs = append(errs, fmt.Errorf("max_message_bytes: must be between 1 and %d, got %d", maxMessageBytes, c.MaxMessageBytes))
	}
	if c.Replicas < 1 || c.Replicas > 5 {
		errs = append(errs, fmt.Errorf("replicas: must be between 1 and 5, got %d", c.Replicas))
	}
	if c.AckWait < minAckWait {
		errs = append(errs, fmt.Errorf("ack_wait: must be at least %s, got %s", minAckWait, c.AckWait))
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"publish_timeout", c.PublishTimeout}, {"nack_delay", c.NackDelay}} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be > 0, got %s", d.key, d.v))
		}
	}
	if c.MaxDeliver < 0 {
		errs = append(errs, fmt.Errorf("max_deliver: must be >= 0 (0: unlimited), got %d", c.MaxDeliver))
	}
	if c.MaxAckPending <= 0 || c.MaxAckPending > math.MaxInt32 {
		errs = append(errs, fmt.Errorf("max_ack_pending: must be > 0, got %d", c.MaxAckPending))
	}
	if c.MaxBacklogBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_backlog_bytes: must be > 0, got %d", c.MaxBacklogBytes))
	}
	if c.MaxTenantBacklogBytes <= 0 || c.MaxTenantBacklogBytes > c.MaxBacklogBytes {
		errs = append(errs, fmt.Errorf("max_tenant_backlog_bytes: must be between 1 and max_backlog_bytes (%d), got %d",
			c.MaxBacklogBytes, c.MaxTenantBacklogBytes))
	}
	return errors.Join(errs...)
}

// validateServer checks where the server is and how to reach it.
func (c Config) validateServer() []error {
	var errs []error
	if c.Embedded {
		if c.URL != "" {
			errs = append(errs, errors.New("url: must be empty with embedded: true (the server runs in the process)"))
		}
		if c.Dir == "" {
			errs = append(errs, errors.New("dir: is required with embedded: true"))
		}
		if c.Fsync != FsyncAlways && c.Fsync != FsyncInterval {
			errs = append(errs, fmt.Errorf("fsync: must be %q or %q, got %q", FsyncAlways, FsyncInterval, c.Fsync))
		}
		if c.Replicas > 1 {
			errs = append(errs, fmt.Errorf("replicas: must be 1 with embedded: true, got %d", c.Replicas))
		}
		if c.User != "" || c.CredsFile != "" || c.CAFile != "" || c.CertFile != "" {
			errs = append(errs, errors.New("user, creds_file, ca_file, cert_file: are for a cluster, not with embedded: true"))
		}
		return errs
	}
	if c.Dir != "" || c.Fsync != "" {
		errs = append(errs, errors.New("dir, fsync: are for embedded: true; a cluster's configuration decides its own"))
	}
	for _, u := range splitURLs(c.URL) {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "nats" && pu.Scheme != "tls") || pu.Host == "" {
			errs = append(errs, fmt.Errorf("url: must be nats://host:port or tls://host:port, got %q", u))
		}
	}
	if c.Password != "" && c.User == "" {
		errs = append(errs, errors.New("password: needs user"))
	}
	if c.User != "" && c.CredsFile != "" {
		errs = append(errs, errors.New("user, creds_file: use one of them"))
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		errs = append(errs, errors.New("cert_file, key_file: set both or neither"))
	}
	return errs
}
