package rabbitmq

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"time"
)

// Defaults of Config.
const (
	DefaultURL              = "amqp://guest:guest@127.0.0.1:5672/"
	DefaultPrefix           = "trolly"
	DefaultMaxBytes         = 256 << 20
	DefaultPrefetch         = 64
	DefaultReconnectMin     = 100 * time.Millisecond
	DefaultReconnectMax     = 10 * time.Second
	DefaultPublishTimeout   = 10 * time.Second
	DefaultRegistryMaxBytes = 64 << 20
	DefaultRegistryRefresh  = time.Hour
	DefaultConnectionName   = "trolly"
)

// Queue types of Config.QueueType.
const (
	QueueClassic = "classic"
	QueueQuorum  = "quorum"
)

// AllTopics in Config.KeyedTopics makes every topic keyed.
const AllTopics = "*"

// maxPrefetch is what basic.qos can carry.
const maxPrefetch = 1<<16 - 1

var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Config configures the RabbitMQ backend. Every process of a deployment must use the same
// prefix, queue_type, keyed_topics and single_active_consumer: they shape the broker's
// topology, which the processes share.
type Config struct {
	// URL of the broker, amqp:// or amqps:// (TLS); credentials and vhost included.
	URL string `yaml:"url"`
	// Prefix starts the name of every exchange and queue, so that deployments can share
	// a vhost: letters, digits, '_' and '-'.
	Prefix string `yaml:"prefix"`
	// QueueType is "classic" or "quorum" (replicated; needs a cluster to be worth it).
	QueueType string `yaml:"queue_type"`
	// KeyedTopics get one queue per message key in each group, each with its own byte
	// limit, so that one key (a tenant stream) that fills up never blocks another. Other
	// topics get one queue per group. "*" makes every topic keyed.
	KeyedTopics []string `yaml:"keyed_topics"`
	// MaxBytes bounds the message bodies ready in each queue (x-max-length-bytes): past
	// it the broker refuses publishes (reject-publish) and Publish fails with
	// queue.ErrFull. Options.KeyMaxBytes overrides it per key of a keyed topic. It also
	// bounds the dead letters, dropping the oldest.
	MaxBytes int64 `yaml:"max_bytes"`
	// Prefetch bounds the unacknowledged deliveries a consumer holds: per group queue, and
	// shared by the key queues of a keyed topic (each gets prefetch/keys, at least one).
	Prefetch int `yaml:"prefetch"`
	// SingleActiveConsumer makes the broker deliver each key queue to one consumer at a
	// time, so that a key stays in order across replicas of a consumer.
	SingleActiveConsumer bool `yaml:"single_active_consumer"`
	// ReconnectMin and ReconnectMax bound the backoff between reconnection attempts.
	ReconnectMin time.Duration `yaml:"reconnect_min"`
	ReconnectMax time.Duration `yaml:"reconnect_max"`
	// PublishTimeout bounds the wait for the broker's confirms; past it Publish fails.
	PublishTimeout time.Duration `yaml:"publish_timeout"`
	// RegistryMaxBytes bounds the stream of each keyed topic in which processes announce
	// its groups and keys. It must hold more than registry_refresh's worth of
	// announcements: about 100 bytes per key.
	RegistryMaxBytes int64 `yaml:"registry_max_bytes"`
	// RegistryRefresh is how often a known group or key that nobody announced for that
	// long is announced again, so that retention never drops one.
	RegistryRefresh time.Duration `yaml:"registry_refresh"`
	// ConnectionName names the connection in the broker's management tools.
	ConnectionName string `yaml:"connection_name"`
	// CAFile is a PEM bundle of the authorities that sign the broker's certificate
	// (amqps only; empty: the system's).
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a client certificate and its key, for brokers that
	// authenticate clients by certificate (amqps only).
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// DefaultConfig returns the configuration used when none is given.
func DefaultConfig() Config {
	var c Config
	c.ApplyDefaults()
	return c
}

// ApplyDefaults sets every zero field to its default. An explicitly empty keyed_topics
// list stays empty.
func (c *Config) ApplyDefaults() {
	setDefault(&c.URL, DefaultURL)
	setDefault(&c.Prefix, DefaultPrefix)
	setDefault(&c.QueueType, QueueClassic)
	setDefault(&c.ConnectionName, DefaultConnectionName)
	if c.KeyedTopics == nil {
		c.KeyedTopics = []string{"raw"}
	}
	setDefault(&c.MaxBytes, DefaultMaxBytes)
	setDefault(&c.Prefetch, DefaultPrefetch)
	setDefault(&c.ReconnectMin, DefaultReconnectMin)
	setDefault(&c.ReconnectMax, DefaultReconnectMax)
	setDefault(&c.PublishTimeout, DefaultPublishTimeout)
	setDefault(&c.RegistryMaxBytes, DefaultRegistryMaxBytes)
	setDefault(&c.RegistryRefresh, DefaultRegistryRefresh)
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Validate reports every invalid field, naming its key.
func (c Config) Validate() error {
	errs := []error{c.validateURL()}
	if !prefixPattern.MatchString(c.Prefix) {
		errs = append(errs, fmt.Errorf("prefix: must be 1 to 64 letters, digits, '_' or '-', got %q", c.Prefix))
	}
	if c.QueueType != QueueClassic && c.QueueType != QueueQuorum {
		errs = append(errs, fmt.Errorf("queue_type: must be %q or %q, got %q", QueueClassic, QueueQuorum, c.QueueType))
	}
	if slices.Contains(c.KeyedTopics, "") {
		errs = append(errs, errors.New("keyed_topics: empty topic name"))
	}
	errs = append(errs,
		positive("max_bytes", c.MaxBytes),
		positive("registry_max_bytes", c.RegistryMaxBytes),
		positive("reconnect_min", c.ReconnectMin),
		positive("publish_timeout", c.PublishTimeout),
		positive("registry_refresh", c.RegistryRefresh))
	if c.Prefetch < 1 || c.Prefetch > maxPrefetch {
		errs = append(errs, fmt.Errorf("prefetch: must be between 1 and %d, got %d", maxPrefetch, c.Prefetch))
	}
	if c.ReconnectMax < c.ReconnectMin {
		errs = append(errs, fmt.Errorf("reconnect_max: must be >= reconnect_min (%s), got %s", c.ReconnectMin, c.ReconnectMax))
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		errs = append(errs, errors.New("cert_file: cert_file and key_file go together"))
	}
	return errors.Join(errs...)
}

func positive[T int64 | time.Duration](key string, v T) error {
	if v <= 0 {
		return fmt.Errorf("%s: must be > 0, got %v", key, v)
	}
	return nil
}

// validateURL never quotes the URL, which may hold a password.
func (c Config) validateURL() error {
	u, err := url.Parse(c.URL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("url: not a valid URL: %w", err)
	}
	switch {
	case u.Scheme != "amqp" && u.Scheme != "amqps":
		return fmt.Errorf("url: scheme must be amqp or amqps, got %q", u.Scheme)
	case u.Host == "":
		return errors.New("url: no host")
	case u.Scheme == "amqp" && (c.CAFile != "" || c.CertFile != ""):
		return errors.New("url: ca_file, cert_file and key_file need an amqps URL")
	}
	return nil
}

// keyed reports whether topic has one queue per key.
func (c Config) keyed(topic string) bool {
	return slices.Contains(c.KeyedTopics, topic) || slices.Contains(c.KeyedTopics, AllTopics)
}
