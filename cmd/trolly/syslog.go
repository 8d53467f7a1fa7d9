package main

import (
	"context"
	"fmt"
	"net"

	"github.com/trolly-logs/trolly/gateway"
)

// listenSyslog binds the syslog listeners that are on, with bind for the TCP ones.
func (b *builder) listenSyslog(lns *listeners, bind func(addr, what string) net.Listener) error {
	c := b.cfg.Gateway.Syslog
	if c.TCP != "" {
		lns.syslogTCP = bind(c.TCP, "syslog tcp")
	}
	if c.TLS != "" {
		cfg, err := gateway.LoadSyslogTLS(c)
		if err != nil {
			return err
		}
		lns.syslogTLS, lns.syslogTLSConfig = bind(c.TLS, "syslog tls"), cfg
	}
	if c.UDP == "" {
		return nil
	}
	addr, err := net.ResolveUDPAddr("udp", c.UDP)
	if err != nil {
		return fmt.Errorf("syslog udp listener: %w", err)
	}
	pc, err := net.ListenUDP("udp", addr)
	if err != nil {
		return fmt.Errorf("syslog udp listener: %w", err)
	}
	b.closers = append(b.closers, func() error { pc.Close(); return nil })
	lns.syslogUDP = pc
	return nil
}

// addSyslog runs the syslog listeners that are bound beside the HTTP one.
func addSyslog(edge *stage, g *gateway.Gateway, lns listeners) {
	if lns.syslogTCP != nil {
		edge.add("syslog-tcp", func(ctx context.Context) error { return g.ServeSyslog(ctx, lns.syslogTCP, nil) })
	}
	if lns.syslogTLS != nil {
		edge.add("syslog-tls", func(ctx context.Context) error { return g.ServeSyslog(ctx, lns.syslogTLS, lns.syslogTLSConfig) })
	}
	if lns.syslogUDP != nil {
		edge.add("syslog-udp", func(ctx context.Context) error { return g.ServeSyslogUDP(ctx, lns.syslogUDP) })
	}
}
