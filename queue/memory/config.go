package memory

import (
	"errors"
	"fmt"

	"github.com/trolly-logs/trolly/queue"
)

// Defaults of Config.
const (
	DefaultMaxBytes       = 256 << 20
	DefaultPartitions     = 64
	DefaultMaxDeadLetters = 10000
	// DefaultMaxBacklogBytes leaves the archiver's default buffer (128 MiB, held on the
	// queue until written) as much room again.
	DefaultMaxBacklogBytes = 256 << 20
)

// maxPartitions keeps a typo from allocating millions of partitions per group.
const maxPartitions = 1 << 16

// Config configures the in-process queue.
type Config struct {
	// MaxBytes bounds, per topic, the message bodies held until every group has
	// acknowledged them; Publish beyond it fails with queue.ErrFull.
	MaxBytes int64 `yaml:"max_bytes"`
	// Partitions is the number of FIFO partitions of each group: at most this many
	// consumers of a group work at once.
	Partitions int `yaml:"partitions"`
	// MaxDeadLetters bounds the rejected messages kept for DeadLetters; past it the oldest
	// are dropped and counted.
	MaxDeadLetters int `yaml:"max_dead_letters"`
	// MaxBacklogBytes is the budget of the bodies held, all topics together, until every
	// group acknowledged them: past it the gateway refuses new input with 503 and
	// Retry-After (queue.Backlogger). Publish itself is bounded by MaxBytes only, so that
	// the layers inside can always move what was taken.
	MaxBacklogBytes int64 `yaml:"max_backlog_bytes"`
	// MaxTenantBacklogBytes is each tenant's budget of that backlog (the bodies of its
	// keys, "<tenant>/<stream>"): past it the gateway refuses the tenant's input with 429
	// and Retry-After (queue.TenantBacklogger), and the others' goes on. The default is
	// queue.DefaultTenantBudget of MaxBacklogBytes; MaxBacklogBytes turns it off.
	MaxTenantBacklogBytes int64 `yaml:"max_tenant_backlog_bytes"`
}

// DefaultConfig returns the configuration used when none is given.
func DefaultConfig() Config {
	var c Config
	c.ApplyDefaults()
	return c
}

// ApplyDefaults sets every zero field to its default.
func (c *Config) ApplyDefaults() {
	if c.MaxBytes == 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.Partitions == 0 {
		c.Partitions = DefaultPartitions
	}
	if c.MaxDeadLetters == 0 {
		c.MaxDeadLetters = DefaultMaxDeadLetters
	}
	if c.MaxBacklogBytes == 0 {
		c.MaxBacklogBytes = DefaultMaxBacklogBytes
	}
	if c.MaxTenantBacklogBytes == 0 {
		c.MaxTenantBacklogBytes = queue.DefaultTenantBudget(c.MaxBacklogBytes)
	}
}

// Validate reports every invalid field, naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.MaxBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_bytes: must be > 0, got %d", c.MaxBytes))
	}
	if c.Partitions < 1 || c.Partitions > maxPartitions {
		errs = append(errs, fmt.Errorf("partitions: must be between 1 and %d, got %d",
			maxPartitions, c.Partitions))
	}
	if c.MaxDeadLetters < 0 {
		errs = append(errs, fmt.Errorf("max_dead_letters: must be > 0, got %d", c.MaxDeadLetters))
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
