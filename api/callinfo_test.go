package api

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzClientAddress: whatever X-Forwarded-For says, the client's address is the peer's
// host unless the peer is a trusted proxy, and otherwise the peer's host or one of the
// header's hops.
func FuzzClientAddress(f *testing.F) {
	f.Add("127.0.0.1:5000", "203.0.113.7")
	f.Add("127.0.0.1:5000", "198.51.100.1, 203.0.113.7, 10.1.2.3")
	f.Add("10.0.0.9:1", "not-an-address, 10.1.1.1")
	f.Add("[::1]:80", "2001:db8::1,::ffff:10.0.0.1")
	f.Add("no port", ",,,")
	trusted, err := parseProxies([]string{"127.0.0.0/8", "10.0.0.0/8", "::1"})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, remote, xff string) {
		host := remote
		if h, _, err := net.SplitHostPort(remote); err == nil {
			host = h
		}
		got := clientAddress(remote, []string{xff}, trusted)
		if ip, err := netip.ParseAddr(host); err != nil || !isTrusted(ip, trusted) {
			require.Equal(t, host, got)
			return
		}
		if got == host {
			return
		}
		found := false
		for _, hop := range strings.Split(xff, ",") {
			if ip, err := netip.ParseAddr(strings.TrimSpace(hop)); err == nil && ip.Unmap().String() == got {
				found = true
			}
		}
		require.True(t, found, "%q is neither the peer nor a hop of %q", got, xff)
	})
}

func TestParseProxies(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // empty: refused
	}{
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.1.2.3/8", "10.0.0.0/8"},
		{"192.0.2.1", "192.0.2.1/32"},
		{"::ffff:192.0.2.0/120", "192.0.2.0/24"},
		{"2001:db8::/32", "2001:db8::/32"},
		{"10.0.0.0/33", ""},
		{"fe80::1%eth0", ""},
		{"proxy.example.com", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseProxies([]string{tc.in})
			if tc.want == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []netip.Prefix{netip.MustParsePrefix(tc.want)}, got)
		})
	}
}
