package rabbitmq

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/trolly-logs/trolly/queue"
)

// dialTimeout bounds the TCP connect and the TLS and AMQP handshakes.
const dialTimeout = 10 * time.Second

// closeTimeout bounds a graceful close of the connection.
const closeTimeout = 5 * time.Second

// heartbeat finds a dead broker or network within about two intervals.
const heartbeat = 10 * time.Second

// link keeps one connection to the broker, and opens it again with capped backoff when it
// is lost. Users open their channels on the current connection and open them again when
// it changes.
type link struct {
	url     string
	amqpCfg amqp.Config
	min     time.Duration
	max     time.Duration
	log     *slog.Logger
	metrics *metrics
	// restore declares again what the queue knows, before the connection is used.
	restore func(*amqp.Connection) error

	mu      sync.Mutex
	conn    *amqp.Connection // nil while down
	netConn net.Conn         // of the last dial, for tests that cut it
	gen     uint64
	up      chan struct{}  // closed while conn is up
	blocked *amqp.Blocking // while the broker does not read publishes
	closed  bool
	done    chan struct{}
	wg      sync.WaitGroup
}

func newLink(cfg Config, log *slog.Logger, m *metrics) (*link, error) {
	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	l := &link{
		url: cfg.URL, min: cfg.ReconnectMin, max: cfg.ReconnectMax, log: log, metrics: m,
		up: make(chan struct{}), done: make(chan struct{}),
	}
	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName(cfg.ConnectionName)
	l.amqpCfg = amqp.Config{
		Properties: props, TLSClientConfig: tlsCfg, Dial: l.dialNet,
		Heartbeat: heartbeat, Locale: "en_US",
	}
	return l, nil
}

// tlsConfig reads the files of an amqps connection; nil leaves the library's default.
func tlsConfig(cfg Config) (*tls.Config, error) {
	if cfg.CAFile == "" && cfg.CertFile == "" {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificate", cfg.CAFile)
		}
	}
	if cfg.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load cert_file and key_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

func (l *link) dialNet(network, addr string) (net.Conn, error) {
	c, err := net.DialTimeout(network, addr, dialTimeout)
	if err != nil {
		return nil, err
	}
	// The library clears it once the handshake is done.
	if err := c.SetDeadline(time.Now().Add(dialTimeout)); err != nil {
		_ = c.Close()
		return nil, err
	}
	l.mu.Lock()
	l.netConn = c
	l.mu.Unlock()
	return c, nil
}

// start opens the first connection; the queue is not usable without it, nor with a
// broker that refuses its topology (permissions, a queue of another type).
func (l *link) start() error {
	conn, err := l.open(true)
	if err != nil {
		return err
	}
	l.wg.Add(1)
	go l.watch(conn)
	return nil
}

// open dials and restores the topology. Unless strict, a refusal is only logged: the
// operations that need the entity report it.
func (l *link) open(strict bool) (*amqp.Connection, error) {
	conn, err := amqp.DialConfig(l.url, l.amqpCfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the broker: %w: %w", ErrUnavailable, err)
	}
	if err := l.restore(conn); err != nil {
		if strict || errors.Is(err, ErrUnavailable) || conn.IsClosed() {
			_ = conn.Close()
			return nil, fmt.Errorf("declare the topology: %w", err)
		}
		l.log.Error("declare the topology again", "err", err)
	}
	blocks := conn.NotifyBlocked(make(chan amqp.Blocking, 1))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = conn.Close()
		return nil, queue.ErrClosed
	}
	l.conn = conn
	l.gen++
	l.blocked = nil
	close(l.up)
	l.metrics.Connected.Set(1)
	l.wg.Add(1)
	go l.watchBlocked(conn, blocks)
	return conn, nil
}

// watchBlocked follows the broker's resource alarms (memory, disk), during which it stops
// reading publishes: Publish then fails at once instead of waiting for its timeout.
func (l *link) watchBlocked(conn *amqp.Connection, blocks <-chan amqp.Blocking) {
	defer l.wg.Done()
	for b := range blocks {
		l.mu.Lock()
		if l.conn == conn {
			l.blocked = nil
			if b.Active {
				l.blocked = &b
			}
		}
		l.mu.Unlock()
		if b.Active {
			l.log.Warn("the broker blocks publishing", "reason", b.Reason)
		} else {
			l.log.Info("the broker reads publishes again")
		}
	}
}

// publishable fails while the broker blocks publishing.
func (l *link) publishable() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.blocked != nil {
		return fmt.Errorf("%w: the broker blocks publishing: %s", ErrUnavailable, l.blocked.Reason)
	}
	return nil
}

// watch reopens the connection each time it is lost, until the link closes.
func (l *link) watch(conn *amqp.Connection) {
	defer l.wg.Done()
	for {
		lost := conn.NotifyClose(make(chan *amqp.Error, 1))
		var err *amqp.Error
		select {
		case <-l.done:
			return
		case err = <-lost:
		}
		if !l.down(conn) {
			return
		}
		l.log.Warn("connection to the broker lost; reconnecting", "err", err)
		if conn = l.reconnect(); conn == nil {
			return
		}
	}
}

// down marks the connection lost; false once the link is closed.
func (l *link) down(conn *amqp.Connection) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	if l.conn == conn {
		l.conn = nil
		l.up = make(chan struct{})
		l.metrics.Connected.Set(0)
	}
	return true
}

func (l *link) reconnect() *amqp.Connection {
	backoff := l.min
	for attempt := 1; ; attempt++ {
		if !sleep(l.done, jitter(backoff)) {
			return nil
		}
		conn, err := l.open(false)
		if err == nil {
			l.metrics.Reconnects.Inc()
			l.log.Info("reconnected to the broker", "attempts", attempt)
			return conn
		}
		if errors.Is(err, queue.ErrClosed) {
			return nil
		}
		backoff = min(2*backoff, l.max)
		l.log.Warn("reconnect to the broker", "err", err, "attempt", attempt, "retry_in", backoff)
	}
}

// current returns the connection and its generation, or ErrUnavailable at once while it
// is being restored.
func (l *link) current() (*amqp.Connection, uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return nil, 0, queue.ErrClosed
	case l.conn == nil:
		return nil, 0, fmt.Errorf("%w: reconnecting", ErrUnavailable)
	}
	return l.conn, l.gen, nil
}

// wait returns the connection, waiting for it while it is being restored.
func (l *link) wait(ctx context.Context) (*amqp.Connection, uint64, error) {
	for {
		l.mu.Lock()
		conn, gen, up, closed := l.conn, l.gen, l.up, l.closed
		l.mu.Unlock()
		switch {
		case closed:
			return nil, 0, queue.ErrClosed
		case conn != nil && !conn.IsClosed():
			return conn, gen, nil
		case conn != nil:
			// Lost, and watch has not noticed yet.
			if !sleep(ctx.Done(), l.min) {
				return nil, 0, ctx.Err()
			}
			continue
		}
		select {
		case <-up:
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-l.done:
			return nil, 0, queue.ErrClosed
		}
	}
}

// close closes the connection gracefully, so that the broker requeues at once what its
// channels hold, and waits for the watcher.
func (l *link) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	close(l.done)
	conn := l.conn
	l.mu.Unlock()
	if conn != nil {
		_ = conn.CloseDeadline(time.Now().Add(closeTimeout))
	}
	l.wg.Wait()
	l.metrics.Connected.Set(0)
}

// cut drops the network connection without a word to the broker, as a failing network
// would: for tests.
func (l *link) cut() {
	l.mu.Lock()
	c := l.netConn
	l.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// sleep waits d; false if done closed first.
func sleep(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// backoff spaces the sessions of a consumer whose channel keeps failing; it starts over
// after a session that lasted.
type backoff struct {
	min, max, next time.Duration
}

// wait sleeps before the next session; false if done closed first.
func (b *backoff) wait(done <-chan struct{}, lasted time.Duration) bool {
	if b.next == 0 || lasted > b.max {
		b.next = b.min
	}
	d := b.next
	b.next = min(2*b.next, b.max)
	return sleep(done, jitter(d))
}

// jitter spreads reconnections of many processes over [d/2, d).
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}
