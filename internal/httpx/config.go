package httpx

import (
	"errors"
	"fmt"
	"time"
)

// Config bounds what one HTTP listener gives its clients: how long a request may take to
// arrive, how long an answer may take to leave, how long an idle connection is kept, and how
// many connections it holds.
type Config struct {
	// ReadHeaderTimeout bounds the time from a connection's first byte (or its previous
	// request) to the end of a request's headers.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// ReadTimeout is the head start of a request body; past it the body must keep arriving
	// at MinBodyRate on average, so that a large body on a slow link finishes and a body
	// dribbled byte by byte does not.
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// MinBodyRate is in bytes per second; 0 leaves the whole body ReadTimeout.
	MinBodyRate int64 `yaml:"min_body_rate"`
	// WriteTimeout bounds an answer, counted from the end of the request body. A handler
	// that streams (a live tail) moves it with http.ResponseController.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout is how long a keep-alive connection waits for its next request.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxConns caps the listener's open connections; one over it is closed at once.
	MaxConns int `yaml:"max_conns"`
	// MaxConnsPerAddr caps the open connections of one client address (an IPv6 /64); behind
	// a proxy, every client has the proxy's.
	MaxConnsPerAddr int `yaml:"max_conns_per_addr"`
}

// ApplyDefaults fills in unset fields.
func (c *Config) ApplyDefaults() {
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = 10 * time.Second
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.MinBodyRate == 0 {
		c.MinBodyRate = 4 << 10
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = time.Minute
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = time.Minute
	}
	if c.MaxConns == 0 {
		c.MaxConns = 4096
	}
	if c.MaxConnsPerAddr == 0 {
		c.MaxConnsPerAddr = 256
	}
}

// Validate reports bad values by key.
func (c Config) Validate() error {
	var errs []error
	for _, t := range []struct {
		key string
		d   time.Duration
	}{
		{"read_header_timeout", c.ReadHeaderTimeout}, {"read_timeout", c.ReadTimeout},
		{"write_timeout", c.WriteTimeout}, {"idle_timeout", c.IdleTimeout},
	} {
		if t.d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be > 0, got %s", t.key, t.d))
		}
	}
	if c.MinBodyRate < 0 {
		errs = append(errs, fmt.Errorf("min_body_rate: must not be negative, got %d", c.MinBodyRate))
	}
	if c.MaxConns <= 0 {
		errs = append(errs, fmt.Errorf("max_conns: must be > 0, got %d", c.MaxConns))
	}
	if c.MaxConnsPerAddr <= 0 || c.MaxConnsPerAddr > c.MaxConns {
		errs = append(errs, fmt.Errorf("max_conns_per_addr: must be > 0 and at most max_conns (%d), got %d", c.MaxConns, c.MaxConnsPerAddr))
	}
	return errors.Join(errs...)
}

// Within prefixes each error joined in err by section and a dot, for a Config kept under a
// key of another section's.
func Within(section string, err error) error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("%s.%w", section, err)
	}
	var errs []error
	for _, e := range j.Unwrap() {
		errs = append(errs, Within(section, e))
	}
	return errors.Join(errs...)
}
