package api

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/tenant"
)

// Config configures the API listener.
type Config struct {
	// Listen is the address of the API listener (gRPC and REST).
	Listen string `yaml:"listen"`
	// DefaultRange is the search range when a request gives no from.
	DefaultRange time.Duration `yaml:"default_range"`
	// ShutdownGrace is how long calls in flight may take to finish at shutdown.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// TrustedProxies are the addresses (CIDRs or IPs) of the reverse proxies whose
	// X-Forwarded-For names the client; empty, the client is the connection's peer.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// MaxHistogramBuckets bounds the buckets of a histogram whose interval the caller
	// gives; an interval that gives more is refused (400).
	MaxHistogramBuckets int `yaml:"max_histogram_buckets"`
	// ExportTimeout bounds an export as a whole; each page of it is bounded by the plan's
	// query_timeout, like a search.
	ExportTimeout time.Duration `yaml:"export_timeout"`
	// HTTP bounds the API listener's connections and their timeouts.
	HTTP httpx.Config `yaml:"http"`
	// PasswordParams are the argon2id costs of the passwords set through the API; zero
	// is tenant.DefaultPasswordParams. Tests set cheap ones.
	PasswordParams tenant.PasswordParams `yaml:"-"`
	// Tail bounds live tails: search.tail, which the indexer's hub reads too.
	Tail search.TailConfig `yaml:"-"`
}

// ApplyDefaults fills in unset fields.
func (c *Config) ApplyDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.DefaultRange == 0 {
		c.DefaultRange = 24 * time.Hour
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = 10 * time.Second
	}
	if c.MaxHistogramBuckets == 0 {
		c.MaxHistogramBuckets = 1000
	}
	if c.ExportTimeout == 0 {
		c.ExportTimeout = 10 * time.Minute
	}
	if c.PasswordParams == (tenant.PasswordParams{}) {
		c.PasswordParams = tenant.DefaultPasswordParams
	}
	c.HTTP.ApplyDefaults()
	c.Tail.ApplyDefaults()
}

// Validate reports bad values by key.
func (c Config) Validate() error {
	var errs []error
	if c.DefaultRange <= 0 {
		errs = append(errs, fmt.Errorf("default_range: must be > 0, got %s", c.DefaultRange))
	}
	if c.ShutdownGrace < 0 {
		errs = append(errs, fmt.Errorf("shutdown_grace: must not be negative, got %s", c.ShutdownGrace))
	}
	if c.MaxHistogramBuckets < search.AutoBuckets {
		errs = append(errs, fmt.Errorf("max_histogram_buckets: must be at least %d (the buckets of a picked interval), got %d", search.AutoBuckets, c.MaxHistogramBuckets))
	}
	if c.ExportTimeout <= 0 {
		errs = append(errs, fmt.Errorf("export_timeout: must be > 0, got %s", c.ExportTimeout))
	}
	if _, err := parseProxies(c.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("trusted_proxies: %w", err))
	}
	errs = append(errs, httpx.Within("http", c.HTTP.Validate()))
	return errors.Join(errs...)
}

// parseProxies reads trusted proxies: CIDRs, or single addresses.
func parseProxies(in []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(in))
	for _, s := range in {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			ip, ipErr := netip.ParseAddr(s)
			if ipErr != nil || ip.Zone() != "" {
				return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", s)
			}
			p = netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(0, p.Bits()-96))
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
