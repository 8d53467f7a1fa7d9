package sqlite

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of Config.
const (
	DefaultMaxOpenIndices   = 64
	DefaultMaxConnsPerIndex = 4
	DefaultBusyTimeout      = 10 * time.Second
)

// Config configures the embedded backend.
type Config struct {
	// Dir holds the index files; it is created if missing.
	Dir string `yaml:"dir"`
	// MaxOpenIndices bounds the index files kept open between calls.
	MaxOpenIndices int `yaml:"max_open_indices"`
	// MaxConnsPerIndex bounds the connections to one index file.
	MaxConnsPerIndex int `yaml:"max_conns_per_index"`
	// BusyTimeout is how long a statement waits for another connection's lock, such as
	// another process writing the same index.
	BusyTimeout time.Duration `yaml:"busy_timeout"`
}

// ApplyDefaults sets every zero field but Dir to its default.
func (c *Config) ApplyDefaults() {
	if c.MaxOpenIndices == 0 {
		c.MaxOpenIndices = DefaultMaxOpenIndices
	}
	if c.MaxConnsPerIndex == 0 {
		c.MaxConnsPerIndex = DefaultMaxConnsPerIndex
	}
	if c.BusyTimeout == 0 {
		c.BusyTimeout = DefaultBusyTimeout
	}
}

// Validate reports every invalid field, naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("dir: is required"))
	}
	if c.MaxOpenIndices <= 0 {
		errs = append(errs, fmt.Errorf("max_open_indices: must be > 0, got %d", c.MaxOpenIndices))
	}
	if c.MaxConnsPerIndex <= 0 {
		errs = append(errs, fmt.Errorf("max_conns_per_index: must be > 0, got %d", c.MaxConnsPerIndex))
	}
	if c.BusyTimeout < time.Millisecond {
		errs = append(errs, fmt.Errorf("busy_timeout: must be at least 1ms, got %s", c.BusyTimeout))
	}
	return errors.Join(errs...)
}
