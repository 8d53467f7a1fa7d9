package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/trolly-logs/trolly/ingest/syslog"
	"github.com/trolly-logs/trolly/tenant/pki"
)

var (
	errStopping = errors.New("the listener is stopping")
	errIdle     = errors.New("idle for too long")
)

// LoadSyslogTLS returns the TLS configuration of the syslog TLS listener: the server
// certificate from the configured files. ServeSyslog adds the client certificates of
// Trolly's authority.
func LoadSyslogTLS(c Syslog) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("load syslog TLS certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// ServeSyslog serves syslog over TCP on ln, or over TLS when tlsCfg is not nil (RFC 6587
// framing, RFC 5425 over TLS), until ctx ends. Each connection's messages are published in
// batches per tenant and stream, and the connection is read on only once the queue
// confirmed them. When ctx ends it stops accepting and reading, publishes what it had read
// within the shutdown grace, and closes the connections.
func (g *Gateway) ServeSyslog(ctx context.Context, ln net.Listener, tlsCfg *tls.Config) error {
	protocol := protoSyslogTCP
	if tlsCfg != nil {
		protocol = protoSyslogTLS
		tlsCfg = g.clientAuth(tlsCfg)
	}
	// stop ends the connections when accepting fails too; they publish with pubCtx
	// until the grace after it is over.
	ctx, stop := context.WithCancel(ctx)
	pubCtx, cancelPub := graceContext(ctx, g.cfg.ShutdownGrace)
	defer cancelPub()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	stopAccept := context.AfterFunc(ctx, func() { ln.Close() })
	defer stopAccept()
	slots := make(chan struct{}, g.cfg.Syslog.MaxConnections)
	perAddr := newAddrSlots(g.cfg.Syslog.MaxConnectionsPerAddress)
	g.log.Info("syslog listener started", "protocol", protocol, "addr", ln.Addr().String())
	backoff := 5 * time.Millisecond
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("accept %s: %w", protocol, err)
			}
			g.log.Warn("accept syslog connection", "protocol", protocol, "err", err)
			sleep(ctx, backoff)
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		authBy := time.Now().Add(g.cfg.Syslog.AuthTimeout)
		host := hostOf(nc.RemoteAddr())
		if !perAddr.take(host) {
			g.refuseConn(nc, protocol, reasonTooManyFromAddress, "max_connections_per_address", perAddr.max)
			continue
		}
		select {
		case slots <- struct{}{}:
		default:
			perAddr.release(host)
			g.refuseConn(nc, protocol, reasonTooMany, "max_connections", cap(slots))
			continue
		}
		if tlsCfg != nil {
			nc = tls.Server(nc, tlsCfg)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			defer perAddr.release(host)
			g.serveSyslogConn(ctx, pubCtx, nc, protocol, authBy)
		}()
	}
}

// refuseConn closes a connection over a limit.
func (g *Gateway) refuseConn(nc net.Conn, protocol, reason, limit string, value int) {
	g.metrics.rejected.WithLabelValues("", protocol, reason).Inc()
	g.log.Warn("syslog connection refused", "protocol", protocol, "remote", nc.RemoteAddr().String(),
		"reason", reason, limit, value)
	nc.Close()
}

// syslogConn is one TCP or TLS connection.
type syslogConn struct {
	g        *Gateway
	nc       net.Conn
	protocol string
	remote   string
	pubCtx   context.Context
	rt       *router
	pend     *pending
	due      []*syslogBatch
	// authBy is when the connection is closed unless authed: by a client certificate or
	// a message with a valid token.
	authBy time.Time
	authed bool
}

// serveSyslogConn reads nc until it ends. It must authenticate by authBy, the TLS
// handshake included.
func (g *Gateway) serveSyslogConn(ctx, pubCtx context.Context, nc net.Conn, protocol string, authBy time.Time) {
	defer nc.Close()
	gauge := g.syslog.connections.WithLabelValues(protocol)
	gauge.Inc()
	defer gauge.Dec()
	remote := nc.RemoteAddr().String()
	c := &syslogConn{g: g, nc: nc, protocol: protocol, remote: remote, pubCtx: pubCtx,
		rt: newRouter(g, protocol, remote), pend: newPending(g.cfg), authBy: authBy}
	// Unblocks a read at shutdown; connReader checks ctx after setting each deadline.
	stop := context.AfterFunc(ctx, func() { _ = nc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	if tc, ok := nc.(*tls.Conn); ok {
		hctx, cancel := context.WithDeadline(ctx, authBy)
		err := tc.HandshakeContext(hctx)
		timedOut := errors.Is(hctx.Err(), context.DeadlineExceeded)
		cancel()
		if err != nil {
			ref := handshakeRefusal(err)
			if timedOut {
				ref = g.authTimeout()
			}
			g.metrics.rejected.WithLabelValues(ref.tenantID, protocol, ref.reason).Inc()
			g.log.Warn("syslog connection refused", "protocol", protocol, "remote", remote, "tenant", ref.tenantID,
				"reason", ref.reason, "detail", ref.detail)
			return
		}
		// The handshake checked the certificate; the router checks it again as it goes.
		if peers := tc.ConnectionState().PeerCertificates; len(peers) > 0 {
			c.rt.certFP = pki.Fingerprint(peers[0].Raw)
			c.authed = true
		}
	}
	err := c.read(ctx)
	c.sendAll()
	c.logEnd(err)
}

// read frames and routes messages until the connection ends or must be closed.
func (c *syslogConn) read(ctx context.Context) error {
	fr := syslog.NewReader(&connReader{c: c, ctx: ctx}, c.g.cfg.Syslog.MaxMessageBytes)
	for {
		f, err := fr.Next()
		if err != nil {
			var ref *refusal
			if errors.As(err, &ref) { // from connReader: auth_timeout
				c.g.metrics.rejected.WithLabelValues(ref.tenantID, c.protocol, ref.reason).Inc()
			}
			return err
		}
		if f.Dropped != "" { // a malformed frame; the next one is read as sent
			c.g.syslog.dropped.WithLabelValues("", c.protocol, f.Dropped).Inc()
			continue
		}
		s, st, a, ref := c.rt.accept(ctx, f.Data)
		if ref == nil || ref.reason == reasonUnknownStream {
			c.authed = true // the token was good
		}
		if ref != nil {
			if ref.reason == reasonUnknownStream {
				c.g.syslog.dropped.WithLabelValues(ref.tenantID, c.protocol, ref.reason).Inc()
				continue
			}
			c.g.metrics.rejected.WithLabelValues(ref.tenantID, c.protocol, ref.reason).Inc()
			return ref
		}
		if b := c.pend.add(s, st, &a, f, ""); b != nil {
			c.send(b)
		}
	}
}

func (c *syslogConn) send(b *syslogBatch) {
	c.g.deliver(c.pubCtx, b, c.protocol, c.remote)
	c.pend.release(b)
}

// sendDue sends the batches whose wait is over.
func (c *syslogConn) sendDue(now time.Time) {
	c.due = c.pend.take(now, c.due[:0])
	for _, b := range c.due {
		c.send(b)
	}
}

func (c *syslogConn) sendAll() { c.sendDue(time.Time{}) }

func (c *syslogConn) logEnd(err error) {
	var ref *refusal
	switch {
	case errors.As(err, &ref):
		c.g.log.Warn("syslog connection closed", "protocol", c.protocol, "remote", c.remote, "tenant", ref.tenantID,
			"reason", ref.reason, "detail", ref.detail)
	case errors.Is(err, io.EOF), errors.Is(err, errStopping):
		c.g.log.Debug("syslog connection ended", "protocol", c.protocol, "remote", c.remote, "err", err)
	default:
		c.g.log.Info("syslog connection closed", "protocol", c.protocol, "remote", c.remote, "err", err)
	}
}

// connReader reads a connection for the framer. While it waits for data, it sends the
// batches whose wait is over, and it ends the connection when idle for too long or when
// ctx ends. Sending inside Read is safe: the framer's last message was already copied into
// its batch.
type connReader struct {
	c      *syslogConn
	ctx    context.Context
	idleAt time.Time
}

func (r *connReader) Read(p []byte) (int, error) {
	for {
		if r.idleAt.IsZero() {
			r.idleAt = time.Now().Add(r.c.g.cfg.Syslog.IdleTimeout)
		}
		deadline := r.idleAt
		if due := r.c.pend.due(); !due.IsZero() && due.Before(deadline) {
			deadline = due
		}
		if !r.c.authed && r.c.authBy.Before(deadline) {
			deadline = r.c.authBy
		}
		if err := r.c.nc.SetReadDeadline(deadline); err != nil {
			return 0, err
		}
		if r.ctx.Err() != nil {
			return 0, errStopping
		}
		n, err := r.c.nc.Read(p)
		if n > 0 || err == nil {
			r.idleAt = time.Time{}
			return n, err
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, err
		}
		if r.ctx.Err() != nil {
			return 0, errStopping
		}
		now := time.Now()
		if !r.c.authed && !now.Before(r.c.authBy) {
			return 0, r.c.g.authTimeout()
		}
		if !now.Before(r.idleAt) {
			return 0, errIdle
		}
		r.c.sendDue(now)
	}
}
