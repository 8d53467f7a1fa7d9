package vlogs

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Defaults of Config.
const (
	DefaultMemoryBytes      = 512 << 20
	DefaultFutureRetention  = 2 * 24 * time.Hour
	DefaultMinFreeDiskBytes = 10 << 20
)

// DefaultClasses are the retention classes, in days: a tenant's events go to the storage
// of the smallest class at or above its retention.
var DefaultClasses = []int{7, 14, 30, 90, 180, 365}

// Config configures the embedded search engine.
type Config struct {
	// Dir holds a storage per retention class ("<days>d") and the tenants' ids.
	Dir string `yaml:"dir"`
	// MemoryBytes bounds the engine's caches, for the whole process.
	MemoryBytes int64 `yaml:"memory_bytes"`
	// Classes are the retention classes in days, ascending.
	Classes []int `yaml:"classes"`
	// FutureRetention is how far ahead of now an event's time may be; later ones are
	// dropped by the engine.
	FutureRetention time.Duration `yaml:"future_retention"`
	// MinFreeDiskBytes: below it the storage turns read-only and writes fail (the indexer
	// holds its input and retries).
	MinFreeDiskBytes int64 `yaml:"min_free_disk_bytes"`
}

// ApplyDefaults sets every zero field to its default.
func (c *Config) ApplyDefaults() {
	if c.MemoryBytes == 0 {
		c.MemoryBytes = DefaultMemoryBytes
	}
	if len(c.Classes) == 0 {
		c.Classes = slices.Clone(DefaultClasses)
	}
	if c.FutureRetention == 0 {
		c.FutureRetention = DefaultFutureRetention
	}
	if c.MinFreeDiskBytes == 0 {
		c.MinFreeDiskBytes = DefaultMinFreeDiskBytes
	}
}

// Validate reports every invalid field, naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("dir: is required"))
	}
	if c.MemoryBytes < 16<<20 {
		errs = append(errs, fmt.Errorf("memory_bytes: must be at least 16 MiB, got %d", c.MemoryBytes))
	}
	for i, d := range c.Classes {
		if d < 1 || i > 0 && d <= c.Classes[i-1] {
			errs = append(errs, fmt.Errorf("classes: must be ascending day counts of at least 1, got %v", c.Classes))
			break
		}
	}
	if c.FutureRetention < 24*time.Hour {
		errs = append(errs, fmt.Errorf("future_retention: must be at least 24h, got %s", c.FutureRetention))
	}
	if c.MinFreeDiskBytes < 0 {
		errs = append(errs, fmt.Errorf("min_free_disk_bytes: must be >= 0, got %d", c.MinFreeDiskBytes))
	}
	return errors.Join(errs...)
}
