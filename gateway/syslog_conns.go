package gateway

import (
	"fmt"
	"net"
	"sync"
)

// Reasons a syslog connection is refused or closed before it authenticated.
const (
	reasonTooManyFromAddress = "too_many_from_address"
	reasonAuthTimeout        = "auth_timeout"
)

// addrSlots counts the open connections of each client address of one listener.
type addrSlots struct {
	mu   sync.Mutex
	max  int
	open map[string]int
}

func newAddrSlots(maxPerAddress int) *addrSlots {
	return &addrSlots{max: maxPerAddress, open: map[string]int{}}
}

// take reports whether host may open one more connection, and counts it when it may.
func (s *addrSlots) take(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[host] >= s.max {
		return false
	}
	s.open[host]++
	return true
}

func (s *addrSlots) release(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[host] <= 1 {
		delete(s.open, host) // the map holds only the addresses with connections
		return
	}
	s.open[host]--
}

// hostOf is the client address of a connection, without its port.
func hostOf(addr net.Addr) string {
	if ta, ok := addr.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

// authTimeout is the refusal of a connection that did not authenticate in time.
func (g *Gateway) authTimeout() *refusal {
	return &refusal{reason: reasonAuthTimeout,
		detail: fmt.Sprintf("no authenticated message within auth_timeout (%s) of connecting", g.cfg.Syslog.AuthTimeout)}
}
