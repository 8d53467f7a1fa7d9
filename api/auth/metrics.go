package auth

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	// stale counts access tokens refused because their user changed since they were signed.
	stale *prometheus.CounterVec
	// limited counts sign-ins refused by the failure limits.
	limited prometheus.Counter
	// hashing is the password hashes being made or checked; busy the sign-ins refused
	// for want of a slot.
	hashing prometheus.Gauge
	busy    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		stale: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_auth_stale_tokens_total",
			Help: "Access tokens refused because their user was deleted, disabled or changed tenant or role since they were signed, by reason.",
		}, []string{"reason"}),
		limited: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_auth_login_limited_total",
			Help: "Sign-ins answered 429 because the account from that address, or the address, had too many failures of late.",
		}),
		hashing: f.NewGauge(prometheus.GaugeOpts{
			Name: "trolly_auth_password_hashes_in_flight",
			Help: "Password hashes being made or checked (bounded by auth.password_hash_concurrency).",
		}),
		busy: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_auth_password_hash_busy_total",
			Help: "Sign-ins answered 429 because every password hash slot stayed taken for auth.password_hash_wait.",
		}),
	}
}
