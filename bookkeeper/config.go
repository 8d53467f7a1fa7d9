package bookkeeper

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of PurgeConfig.
const (
	DefaultPurgeInterval = time.Minute
	DefaultPurgeGrace    = time.Hour
)

// PurgeConfig configures the purge of deleted tenants' data.
type PurgeConfig struct {
	// Interval is the time between two passes over the tombstones.
	Interval time.Duration `yaml:"interval"`
	// Grace is how long after a deletion each pass still looks for the tenant's data:
	// events already queued when it was deleted may still be written under its key.
	// After it, the first pass that removes everything marks the part purged.
	Grace time.Duration `yaml:"grace"`
}

// ApplyDefaults sets every zero field to its default.
func (c *PurgeConfig) ApplyDefaults() {
	if c.Interval == 0 {
		c.Interval = DefaultPurgeInterval
	}
	if c.Grace == 0 {
		c.Grace = DefaultPurgeGrace
	}
}

// Validate reports every invalid field, naming its key.
func (c PurgeConfig) Validate() error {
	var errs []error
	if c.Interval <= 0 {
		errs = append(errs, fmt.Errorf("interval: must be > 0, got %s", c.Interval))
	}
	if c.Grace < 0 {
		errs = append(errs, fmt.Errorf("grace: must be >= 0, got %s", c.Grace))
	}
	return errors.Join(errs...)
}
