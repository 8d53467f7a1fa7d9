package search

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of TailConfig.
const (
	DefaultTailBuffer       = 4096
	DefaultTailMaxPerTenant = 8
	DefaultTailMaxTotal     = 256
	DefaultTailMaxDuration  = time.Hour
	DefaultTailHeartbeat    = 15 * time.Second
)

// TailConfig bounds live tails: what a tail may hold in memory, how many are open, how
// long one lasts.
type TailConfig struct {
	// Buffer is the most indexed events a tail holds that its reader has not taken yet
	// (a larger single batch is taken whole into an empty buffer); a tail whose reader
	// falls further behind is cut off, so that the indexer never waits for it.
	Buffer int `yaml:"buffer"`
	// MaxPerTenant and MaxTotal bound the tails open at once, per tenant and in all.
	MaxPerTenant int `yaml:"max_per_tenant"`
	MaxTotal     int `yaml:"max_total"`
	// MaxDuration ends a tail; the client opens another to go on.
	MaxDuration time.Duration `yaml:"max_duration"`
	// Heartbeat is the longest a tail stays silent: an idle tail sends a heartbeat, so that
	// proxies keep the connection and a dead client is noticed.
	Heartbeat time.Duration `yaml:"heartbeat"`
}

// ApplyDefaults sets every zero field to its default.
func (c *TailConfig) ApplyDefaults() {
	if c.Buffer == 0 {
		c.Buffer = DefaultTailBuffer
	}
	if c.MaxPerTenant == 0 {
		c.MaxPerTenant = DefaultTailMaxPerTenant
	}
	if c.MaxTotal == 0 {
		c.MaxTotal = DefaultTailMaxTotal
	}
	if c.MaxDuration == 0 {
		c.MaxDuration = DefaultTailMaxDuration
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultTailHeartbeat
	}
}

// Validate reports every invalid field, naming its key.
func (c TailConfig) Validate() error {
	var errs []error
	if c.Buffer < 1 || c.Buffer > 1<<20 {
		errs = append(errs, fmt.Errorf("buffer: must be between 1 and %d, got %d", 1<<20, c.Buffer))
	}
	if c.MaxTotal < 1 {
		errs = append(errs, fmt.Errorf("max_total: must be > 0, got %d", c.MaxTotal))
	}
	if c.MaxPerTenant < 1 || c.MaxPerTenant > c.MaxTotal {
		errs = append(errs, fmt.Errorf("max_per_tenant: must be > 0 and at most max_total (%d), got %d", c.MaxTotal, c.MaxPerTenant))
	}
	if c.MaxDuration <= 0 || c.MaxDuration > 24*time.Hour {
		errs = append(errs, fmt.Errorf("max_duration: must be > 0 and at most 24h, got %s", c.MaxDuration))
	}
	if c.Heartbeat <= 0 || c.Heartbeat > time.Minute {
		errs = append(errs, fmt.Errorf("heartbeat: must be > 0 and at most 1m, got %s", c.Heartbeat))
	}
	return errors.Join(errs...)
}
