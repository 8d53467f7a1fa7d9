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
	}
}
