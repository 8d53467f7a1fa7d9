package gateway

import (
	"errors"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/internal/httpx"
)

// Config configures the ingest listener.
type Config struct {
	// Listen is the address of the HTTP ingest listener.
	Listen string `yaml:"listen"`
	// MaxBodyBytes bounds a request body, after decompression.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxInflightBytes bounds the decoded request bodies the listener holds at once, which
	// the process's memory follows; a request past it is answered 503 with Retry-After.
	MaxInflightBytes int64 `yaml:"max_inflight_bytes"`
	// MaxLineBytes bounds one record.
	MaxLineBytes int `yaml:"max_line_bytes"`
	// MaxRecords bounds the records of one request of the shippers' protocols (Elasticsearch
	// bulk, Loki, OTLP, HEC), whose decoders keep a few fields per record.
	MaxRecords int `yaml:"max_records"`
	// RetryAfter is what a shipper is told to wait when the queue is full.
	RetryAfter time.Duration `yaml:"retry_after"`
	// ShutdownGrace is how long requests in flight may take to finish at shutdown.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// HTTP bounds the ingest listener's connections and their timeouts.
	HTTP httpx.Config `yaml:"http"`
	// Syslog configures the syslog listeners, off by default.
	Syslog Syslog `yaml:"syslog"`
}

// ApplyDefaults fills in unset fields.
func (c *Config) ApplyDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8088"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 10 << 20
	}
	if c.MaxInflightBytes == 0 {
		c.MaxInflightBytes = max(128<<20, c.MaxBodyBytes)
	}
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = 256 << 10
	}
	if c.MaxRecords == 0 {
		c.MaxRecords = 100000
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = time.Second
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = 10 * time.Second
	}
	c.HTTP.ApplyDefaults()
	c.Syslog.ApplyDefaults()
}

// Validate reports bad values by key.
func (c Config) Validate() error {
	var errs []error
	if c.MaxBodyBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_body_bytes: must be > 0, got %d", c.MaxBodyBytes))
	}
	if c.MaxInflightBytes < c.MaxBodyBytes {
		errs = append(errs, fmt.Errorf("max_inflight_bytes: must be at least max_body_bytes (%d), got %d", c.MaxBodyBytes, c.MaxInflightBytes))
	}
	if c.MaxLineBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_line_bytes: must be > 0, got %d", c.MaxLineBytes))
	} else if int64(c.MaxLineBytes) > c.MaxBodyBytes {
		errs = append(errs, fmt.Errorf("max_line_bytes: must not exceed max_body_bytes (%d), got %d", c.MaxBodyBytes, c.MaxLineBytes))
	}
	if c.MaxRecords <= 0 {
		errs = append(errs, fmt.Errorf("max_records: must be > 0, got %d", c.MaxRecords))
	}
	if c.RetryAfter < time.Second {
		errs = append(errs, fmt.Errorf("retry_after: must be at least 1s, got %s", c.RetryAfter))
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, fmt.Errorf("shutdown_grace: must not be negative, got %s", c.ShutdownGrace))
	}
	errs = append(errs, httpx.Within("http", c.HTTP.Validate()), c.Syslog.validate())
	return errors.Join(errs...)
}
