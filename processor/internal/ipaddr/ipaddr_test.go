package ipaddr

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestValid checks tricky cases against net/netip's parser, without zones.
func TestValid(t *testing.T) {
	for _, s := range []string{"0.0.0.0", "1.2.3.4", "255.255.255.255", "::1", "2001:db8::17",
		"::ffff:1.2.3.4", "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4.", ".1.2.3.4",
		"1..2.3", "a.b.c.d", "1.2.3.-4", "fe80::1%eth0", "host.example", "1.2.3.4:80", "1234.1.1.1",
		"::", ":::", "1::", "1:", ":1", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7::", "1:2:3:4::5:6:7:8", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:1.2.3.4",
		"1:2:3:4:5:6:7:1.2.3.4", "::ffff:01.2.3.4", "12345::", "::g", "ABCD:ef01::", "1.2.3.4::",
		"FFFF::", "::1.2.3", "::1.02.3.4", ":1::", "g::"} {
		ip, err := netip.ParseAddr(s)
		require.Equal(t, err == nil && ip.Zone() == "", Valid([]byte(s)), "%q", s)
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:7::", "01.1.1.1", "1.2.3.4.", "fe80::1%eth0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, err := netip.ParseAddr(s)
		require.Equal(t, err == nil && ip.Zone() == "", Valid([]byte(s)), "%q", s)
	})
}
