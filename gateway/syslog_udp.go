package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/trolly-logs/trolly/ingest/syslog"
)

// udpBacklog is how many full batches wait for the publisher before the reader drops
// more: UDP cannot slow its senders, and a reader that waited would let the kernel drop
// datagrams uncounted instead.
const udpBacklog = 16

// ServeSyslogUDP serves syslog over UDP on pc until ctx ends: one datagram is one message
// (RFC 5426). Messages are published in batches per tenant and stream by a publisher
// beside the reader. A message that cannot be accepted — unauthenticated, for no stream,
// over the tenant's rate, or refused by the queue — is dropped and counted by tenant and
// reason, since UDP has no way to tell its sender. When ctx ends it stops reading and
// publishes what it had read within the shutdown grace.
func (g *Gateway) ServeSyslogUDP(ctx context.Context, pc *net.UDPConn) error {
	pubCtx, cancelPub := graceContext(ctx, g.cfg.ShutdownGrace)
	defer cancelPub()
	u := &udpReader{g: g, rt: newRouter(g, protoSyslogUDP, ""), pend: newPending(g.cfg),
		out: make(chan *syslogBatch, udpBacklog), back: make(chan *syslogBatch, udpBacklog)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range u.out {
			g.publishDatagrams(pubCtx, b)
			select {
			case u.back <- b:
			default:
			}
		}
	}()
	stop := context.AfterFunc(ctx, func() { _ = pc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	g.log.Info("syslog listener started", "protocol", protoSyslogUDP, "addr", pc.LocalAddr().String())
	err := u.read(ctx, pc)
	for _, b := range u.pend.take(time.Time{}, nil) {
		u.out <- b
	}
	close(u.out)
	<-done
	return err
}

// udpReader reads datagrams and fills batches; the publisher sends them.
type udpReader struct {
	g        *Gateway
	rt       *router
	pend     *pending
	out      chan *syslogBatch // full batches, to the publisher
	back     chan *syslogBatch // sent batches, for reuse
	due      []*syslogBatch
	deadline time.Time
	from     netip.AddrPort
	remote   string
}

// read reads datagrams until ctx ends (nil) or the socket fails.
func (u *udpReader) read(ctx context.Context, pc *net.UDPConn) error {
	buf := make([]byte, 64<<10) // the largest datagram
	for {
		if due := u.pend.due(); !due.Equal(u.deadline) {
			if err := pc.SetReadDeadline(due); err != nil {
				return fmt.Errorf("read syslog datagram: %w", err)
			}
			u.deadline = due
		}
		if ctx.Err() != nil {
			return nil
		}
		n, from, err := pc.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				u.sendDue(time.Now())
				continue
			}
			return fmt.Errorf("read syslog datagram: %w", err)
		}
		u.datagram(ctx, buf[:n], from)
	}
}

func (u *udpReader) datagram(ctx context.Context, p []byte, from netip.AddrPort) {
	f, ok := syslog.Datagram(p, u.g.cfg.Syslog.MaxMessageBytes)
	if !ok {
		return
	}
	s, st, a, ref := u.rt.accept(ctx, f.Data)
	if ref != nil {
		u.g.syslog.dropped.WithLabelValues(ref.tenantID, protoSyslogUDP, ref.reason).Inc()
		return
	}
	if !s.lim.AllowN(u.g.now(), len(f.Data)) {
		u.g.syslog.dropped.WithLabelValues(s.tenantID, protoSyslogUDP, reasonRateLimited).Inc()
		return
	}
	if from != u.from || u.remote == "" {
		u.from, u.remote = from, from.String()
	}
	if b := u.pend.add(s, st, &a, f, u.remote); b != nil {
		u.send(b)
	}
}

// send hands a batch to the publisher, or drops it when the publisher is that far behind.
func (u *udpReader) send(b *syslogBatch) {
	select {
	case u.out <- b:
	default:
		u.g.drop(b, protoSyslogUDP, reasonOverloaded)
		u.pend.release(b)
	}
	for {
		select {
		case sent := <-u.back:
			u.pend.release(sent)
		default:
			return
		}
	}
}

func (u *udpReader) sendDue(now time.Time) {
	u.due = u.pend.take(now, u.due[:0])
	for _, b := range u.due {
		u.send(b)
	}
}

// publishDatagrams publishes a batch of datagrams once, dropping it when the queue
// refuses: waiting would only move the loss to the socket's buffer.
func (g *Gateway) publishDatagrams(ctx context.Context, b *syslogBatch) {
	rej := g.publish(ctx, owner{b.tenantID, b.tenantKey, b.backlog}, b.stream, protoSyslogUDP, "", b.recs)
	switch {
	case rej == nil:
		g.accepted(b, protoSyslogUDP)
	case ctx.Err() != nil:
		g.drop(b, protoSyslogUDP, reasonShutdown)
	default:
		g.drop(b, protoSyslogUDP, rej.code)
	}
}
