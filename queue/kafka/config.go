package kafka

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"time"
)

// Defaults of Config.
const (
	DefaultBroker            = "127.0.0.1:9092"
	DefaultPrefix            = "trolly"
	DefaultClientID          = "trolly"
	DefaultPartitions        = 16
	DefaultReplicationFactor = 1
	DefaultMaxLagBytes       = 256 << 20
	DefaultMaxMessageBytes   = 1 << 20
	DefaultCompression       = "snappy"
	DefaultCommitInterval    = time.Second
	DefaultFetchMaxWait      = 500 * time.Millisecond
	DefaultHeartbeatInterval = 3 * time.Second
	DefaultSessionTimeout    = 45 * time.Second
	DefaultRebalanceTimeout  = 60 * time.Second
)

// Limits that keep a typo from asking the broker for absurd resources.
const (
	maxPartitions      = 10000
	maxReplication     = 32767
	maxMessageBytesCap = 64 << 20
)

// SASL mechanisms of SASLConfig.Mechanism.
const (
	SASLPlain       = "plain"
	SASLScramSHA256 = "scram-sha-256"
	SASLScramSHA512 = "scram-sha-512"
)

// Config configures the Kafka queue. Pointing Trolly at a cluster needs brokers, and for a
// managed or secured one the tls and sasl sections; every other key has a default.
//
// Redpanda: brokers are its Kafka API addresses (port 9092 by default); idempotent
// producers and consumer groups are on by default. Kafka: any 2.8+ broker; set
// replication_factor to 3 (and the topics' min.insync.replicas to 2) in production, or
// create the topics yourself and set create_topics to false. The brokers forget the
// offsets of a group without members after offsets.retention.minutes (7 days by
// default): a declared group left without consumers longer than that starts again at the
// end when next declared.
type Config struct {
	// Brokers are the seed brokers, host:port; the client discovers the others.
	Brokers []string `yaml:"brokers"`
	// Prefix starts every topic and group name: topic "<prefix>.<topic>", group
	// "<prefix>.<topic>.<group>", dead letters "<prefix>.dead". Several Trolly
	// installations can share one cluster under different prefixes.
	Prefix string `yaml:"prefix"`
	// ClientID names the connections in the brokers' logs and quotas.
	ClientID string `yaml:"client_id"`
	// Partitions is the partition count of the topics Declare creates: at most this many
	// consumers of a group work at once. Existing topics keep theirs.
	Partitions int `yaml:"partitions"`
	// ReplicationFactor of the topics Declare creates: 1 suits a single broker; use 3 in
	// production.
	ReplicationFactor int `yaml:"replication_factor"`
	// CreateTopics lets Declare create missing topics (default true). When false, Declare
	// fails on a missing topic, for clusters whose topics are managed elsewhere: create
	// "<prefix>.raw", "<prefix>.events" and "<prefix>.dead" (the last with one partition)
	// with a max.message.bytes above max_message_bytes.
	CreateTopics *bool `yaml:"create_topics"`
	// MaxLagBytes bounds, per topic, the estimated bytes of message bodies that the slowest
	// declared group has not committed yet; Publish beyond it fails with queue.ErrFull.
	// Keep it well under what the topic's retention holds, or a lagging group loses data.
	MaxLagBytes int64 `yaml:"max_lag_bytes"`
	// MaxMessageBytes bounds one message, key and body; a larger one fails with
	// queue.ErrTooLarge. Topics Declare creates get a max.message.bytes that fits it; an
	// existing topic with a smaller limit makes the broker refuse, also as ErrTooLarge.
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// Compression of produced batches: none, gzip, snappy, lz4 or zstd.
	Compression string `yaml:"compression"`
	// Linger is how long the producer waits to fill a batch; 0 sends at once (Publish
	// already batches a call's messages).
	Linger time.Duration `yaml:"linger"`
	// CommitInterval is how often consumers commit what was acknowledged; commits also
	// happen on rebalance and close. A crash redelivers up to this much work.
	CommitInterval time.Duration `yaml:"commit_interval"`
	// FetchMaxWait is how long the broker holds a fetch that has nothing to return.
	FetchMaxWait time.Duration `yaml:"fetch_max_wait"`
	// HeartbeatInterval, SessionTimeout and RebalanceTimeout are the group membership
	// timings (Kafka's heartbeat.interval.ms, session.timeout.ms, rebalance.timeout.ms).
	// SessionTimeout must lie within the brokers' group.min/max.session.timeout.ms.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	SessionTimeout    time.Duration `yaml:"session_timeout"`
	RebalanceTimeout  time.Duration `yaml:"rebalance_timeout"`
	// TLS encrypts the connections to the brokers.
	TLS TLSConfig `yaml:"tls"`
	// SASL authenticates to the brokers; combine with TLS (SASL_SSL) outside a trusted
	// network, since PLAIN sends the password as is.
	SASL SASLConfig `yaml:"sasl"`
}

// TLSConfig is the tls section of Config.
type TLSConfig struct {
	// Enabled turns TLS on; with no other key, the system's roots verify the brokers.
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM bundle of the authorities that sign the brokers' certificates, for
	// a private CA (Redpanda's or Strimzi's generated CA, for example).
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are this client's PEM certificate and key, for brokers that
	// require mutual TLS (ssl.client.auth=required). Both or neither.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// InsecureSkipVerify accepts any broker certificate. For tests only: it gives up the
	// protection TLS exists for.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// SASLConfig is the sasl section of Config.
type SASLConfig struct {
	// Mechanism is plain, scram-sha-256 or scram-sha-512; empty disables SASL. Managed
	// Kafka services and Redpanda with authentication usually want scram-sha-256/512.
	Mechanism string `yaml:"mechanism"`
	// Username and Password are the credentials; TROLLY_..._SASL_PASSWORD in the
	// environment keeps the password out of the file.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// DefaultConfig returns the configuration used when none is given: one local broker.
func DefaultConfig() Config {
	var c Config
	c.ApplyDefaults()
	return c
}

// ApplyDefaults sets every zero field to its default.
func (c *Config) ApplyDefaults() {
	if len(c.Brokers) == 0 {
		c.Brokers = []string{DefaultBroker}
	}
	setDefault(&c.Prefix, DefaultPrefix)
	setDefault(&c.ClientID, DefaultClientID)
	setDefault(&c.Partitions, DefaultPartitions)
	setDefault(&c.ReplicationFactor, DefaultReplicationFactor)
	if c.CreateTopics == nil {
		yes := true
		c.CreateTopics = &yes
	}
	setDefault(&c.MaxLagBytes, DefaultMaxLagBytes)
	setDefault(&c.MaxMessageBytes, DefaultMaxMessageBytes)
	setDefault(&c.Compression, DefaultCompression)
	setDefault(&c.CommitInterval, DefaultCommitInterval)
	setDefault(&c.FetchMaxWait, DefaultFetchMaxWait)
	setDefault(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	setDefault(&c.SessionTimeout, DefaultSessionTimeout)
	setDefault(&c.RebalanceTimeout, DefaultRebalanceTimeout)
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// createTopics reads CreateTopics, true when unset.
func (c Config) createTopics() bool { return c.CreateTopics == nil || *c.CreateTopics }

// legalName is what Kafka accepts in a topic name.
var legalName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// Validate reports every invalid field, naming its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Brokers) == 0 {
		bad("brokers: at least one is required")
	}
	for _, b := range c.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			bad("brokers: %q is not host:port", b)
		}
	}
	if !legalName.MatchString(c.Prefix) || len(c.Prefix) > 100 {
		bad("prefix: must be 1 to 100 of a-z A-Z 0-9 . _ -, got %q", c.Prefix)
	}
	if c.Partitions < 1 || c.Partitions > maxPartitions {
		bad("partitions: must be between 1 and %d, got %d", maxPartitions, c.Partitions)
	}
	if c.ReplicationFactor < 1 || c.ReplicationFactor > maxReplication {
		bad("replication_factor: must be between 1 and %d, got %d", maxReplication, c.ReplicationFactor)
	}
	if c.MaxLagBytes <= 0 {
		bad("max_lag_bytes: must be > 0, got %d", c.MaxLagBytes)
	}
	if c.MaxMessageBytes < 1 || c.MaxMessageBytes > maxMessageBytesCap {
		bad("max_message_bytes: must be between 1 and %d, got %d", maxMessageBytesCap, c.MaxMessageBytes)
	}
	if _, err := codec(c.Compression); err != nil {
		bad("compression: %w", err)
	}
	errs = append(errs, c.validateTimings()...)
	errs = append(errs, c.TLS.validate()...)
	errs = append(errs, c.SASL.validate()...)
	return errors.Join(errs...)
}

func (c Config) validateTimings() []error {
	var errs []error
	positive := func(key string, d time.Duration) {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be > 0, got %s", key, d))
		}
	}
	if c.Linger < 0 {
		errs = append(errs, fmt.Errorf("linger: must be >= 0, got %s", c.Linger))
	}
	positive("commit_interval", c.CommitInterval)
	positive("fetch_max_wait", c.FetchMaxWait)
	positive("heartbeat_interval", c.HeartbeatInterval)
	positive("session_timeout", c.SessionTimeout)
	positive("rebalance_timeout", c.RebalanceTimeout)
	if c.HeartbeatInterval >= c.SessionTimeout {
		errs = append(errs, fmt.Errorf("heartbeat_interval: must be below session_timeout (%s), got %s",
			c.SessionTimeout, c.HeartbeatInterval))
	}
	return errs
}

func (t TLSConfig) validate() []error {
	var errs []error
	if (t.CertFile == "") != (t.KeyFile == "") {
		errs = append(errs, errors.New("tls.cert_file, tls.key_file: give both or neither"))
	}
	if !t.Enabled && (t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.InsecureSkipVerify) {
		errs = append(errs, errors.New("tls.enabled: must be true when other tls keys are set"))
	}
	return errs
}

func (s SASLConfig) validate() []error {
	switch s.Mechanism {
	case "":
		if s.Username != "" || s.Password != "" {
			return []error{errors.New("sasl.mechanism: required when sasl.username or sasl.password is set")}
		}
		return nil
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
	default:
		return []error{fmt.Errorf("sasl.mechanism: must be %s, %s or %s, got %q",
			SASLPlain, SASLScramSHA256, SASLScramSHA512, s.Mechanism)}
	}
	if s.Username == "" {
		return []error{fmt.Errorf("sasl.username: required with sasl.mechanism %s", s.Mechanism)}
	}
	return nil
}
