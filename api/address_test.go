package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/trolly-logs/trolly/api/auth"
	"github.com/trolly-logs/trolly/tenant"
)

// restLogin signs in over REST with extra request headers and returns the HTTP status.
func (e *env) restLogin(t *testing.T, email, password string, header map[string]string) int {
	t.Helper()
	b, err := json.Marshal(map[string]string{"email": email, "password": password})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, e.rest+"/api/v1/auth/login", bytes.NewReader(b))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	return resp.StatusCode
}

// failedSignInAddresses returns the addresses the audit log records for failed sign-ins.
func failedSignInAddresses(t *testing.T, cat tenant.Catalog) map[string]int {
	t.Helper()
	entries, _, err := cat.ListAudit(context.Background(), tenant.AuditFilter{Action: "auth.login_failed"}, tenant.Page{Size: 1000})
	require.NoError(t, err)
	out := map[string]int{}
	for _, e := range entries {
		out[e.Actor.Address]++
	}
	return out
}

// TestForgedAddressHeader: a client that sends its own address in a header grpc-gateway
// forwards as metadata neither changes the audited address nor escapes the per-address
// sign-in limit.
func TestForgedAddressHeader(t *testing.T) {
	const perAddress = 4
	e := newEnvWith(t, stores()["sqlite"](t), nil, nil, func(c *auth.Config) { c.LoginFailuresPerAddress = perAddress })
	for i := range perAddress {
		code := e.restLogin(t, fmt.Sprintf("nobody%d@example.com", i), "wrong password",
			map[string]string{"Grpc-Metadata-X-Trolly-Remote-Addr": fmt.Sprintf("10.9.0.%d", i)})
		require.Equal(t, http.StatusUnauthorized, code)
	}
	code := e.restLogin(t, "nobody-else@example.com", "wrong password",
		map[string]string{"Grpc-Metadata-X-Trolly-Remote-Addr": "10.9.0.99"})
	require.Equal(t, http.StatusTooManyRequests, code, "the connection's address is limited, whatever the header says")
	require.Equal(t, map[string]int{"127.0.0.1": perAddress}, failedSignInAddresses(t, e.cat))
}

// TestTrustedProxies: X-Forwarded-For names the client only when the connection comes from
// a trusted proxy.
func TestTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		xff     string
		want    string
	}{
		{"no proxy trusted", nil, "203.0.113.7", "127.0.0.1"},
		{"other proxy trusted", []string{"10.0.0.0/8"}, "203.0.113.7", "127.0.0.1"},
		{"trusted proxy", []string{"127.0.0.0/8"}, "203.0.113.7", "203.0.113.7"},
		{"chain of trusted proxies", []string{"127.0.0.1/32", "10.0.0.0/8"}, "198.51.100.1, 203.0.113.7, 10.1.2.3", "203.0.113.7"},
		{"garbage after the client", []string{"127.0.0.1/32"}, "203.0.113.7, not-an-address", "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvWith(t, stores()["sqlite"](t), nil, func(c *Config) { c.TrustedProxies = tc.trusted }, nil)
			require.Equal(t, http.StatusUnauthorized, e.restLogin(t, "nobody@example.com", "wrong password",
				map[string]string{"X-Forwarded-For": tc.xff}))
			require.Equal(t, map[string]int{tc.want: 1}, failedSignInAddresses(t, e.cat))
		})
	}
}

// TestBusyStatus: a sign-in refused for want of a hash slot is ResourceExhausted with the
// delay REST sends as Retry-After.
func TestBusyStatus(t *testing.T) {
	err := statusOf(context.Background(), slog.New(slog.DiscardHandler), fmt.Errorf("login: %w", &auth.BusyError{RetryAfter: 2 * time.Second}), "session")
	st := status.Convert(err)
	require.Equal(t, codes.ResourceExhausted, st.Code(), "%v", err)
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	require.Equal(t, 2*time.Second, delay)
}
