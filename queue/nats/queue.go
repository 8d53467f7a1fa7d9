package nats

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/queue"
)

// backlogRefresh is how often Backlog's figure is read from the server.
const backlogRefresh = time.Second

// errDisconnected fails a Publish, and a try of Receive, while the connection to the
// server is lost.
var errDisconnected = errors.New("not connected to the NATS server")

// Options are what the process gives the backend besides its configuration.
type Options struct {
	// Logger receives the backend's warnings; none when nil.
	Logger *slog.Logger
	// Registerer receives the backend's metrics; none when nil.
	Registerer prometheus.Registerer
}

// Queue is a queue.Queue on NATS JetStream.
type Queue struct {
	cfg Config
	log *slog.Logger
	m   *metrics
	srv *embedded // or nil
	enc *codec
	nc  *natsio.Conn // consumers, administration
	js  jetstream.JetStream
	pub *natsio.Conn // Publish
	pjs jetstream.JetStream

	closed    chan struct{}
	life      context.Context // ends with closed, for calls that must not outlive the queue
	endLife   context.CancelFunc
	closeOnce sync.Once
	loops     sync.WaitGroup // the background loops: backlog refresh, keep-alive

	mu        sync.Mutex
	topics    map[string]bool // declared by this process, for Backlog and trim
	sealed    map[string]bool
	consumers map[*consumer]bool
	dead      jetstream.Consumer

	backlog    atomic.Int64
	reconnects atomic.Uint64 // of the connection, for the consumers to check their groups
	sync       *syncer       // on the embedded server with fsync "always"
	tenants    *tenantBacklog
}

var (
	_ queue.Queue      = (*Queue)(nil)
	_ queue.Sealer     = (*Queue)(nil)
	_ queue.Backlogger = (*Queue)(nil)
	_ queue.Durable    = (*Queue)(nil)
)

// New validates cfg, connects to the server (starting it, if embedded) and declares the
// dead-letter stream.
func New(cfg Config, opts Options) (*Queue, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q := &Queue{
		cfg: cfg, log: log,
		closed: make(chan struct{}),
		topics: map[string]bool{}, sealed: map[string]bool{}, consumers: map[*consumer]bool{},
	}
	enc, err := newCodec(cfg.Compression, cfg.MaxMessageBytes)
	if err != nil {
		return nil, err
	}
	q.enc = enc
	q.life, q.endLife = context.WithCancel(context.Background())
	q.m = newMetrics(opts.Registerer, cfg.MaxBacklogBytes, &q.backlog)
	q.tenants = newTenantBacklog(q, opts.Registerer)
	if cfg.Embedded {
		srv, err := startEmbedded(cfg)
		if err != nil {
			enc.close()
			return nil, err
		}
		q.srv = srv
	}
	nc, err := connect(cfg, q.srv, q.connEvents())
	if err == nil {
		q.nc = nc
		q.m.Connected.Set(1)
		q.js, err = jetstream.New(nc)
	}
	// Publishes have a connection of their own, so that their acknowledgements do not
	// queue behind the batches the consumers fetch.
	if err == nil {
		q.pub, err = connect(cfg, q.srv, nil)
	}
	if err == nil {
		q.pjs, err = jetstream.New(q.pub, jetstream.WithPublishAsyncMaxPending(4096))
	}
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.PublishTimeout)
		err = q.declareDead(ctx)
		cancel()
	}
	if err != nil {
		q.endLife()
		q.shutdown()
		return nil, err
	}
	if cfg.Embedded && cfg.Fsync == FsyncAlways {
		q.sync = newSyncer(q)
	}
	q.loops.Go(q.refreshBacklog)
	q.loops.Go(q.keepAlive)
	q.loops.Go(q.tenants.run)
	return q, nil
}

// connEvents keeps the connection metrics and logs its losses.
func (q *Queue) connEvents() []natsio.Option {
	return []natsio.Option{
		natsio.ConnectHandler(func(*natsio.Conn) { q.m.Connected.Set(1) }),
		natsio.DisconnectErrHandler(func(_ *natsio.Conn, err error) {
			q.m.Connected.Set(0)
			if err != nil && !q.isClosed() {
				q.log.Warn("lost the connection to NATS", "err", err)
			}
		}),
		natsio.ReconnectHandler(func(*natsio.Conn) {
			q.reconnects.Add(1)
			q.m.Connected.Set(1)
			q.m.Reconnects.Inc()
			q.log.Info("connected to NATS again")
		}),
	}
}

func (q *Queue) streamName(topic string) string { return q.cfg.Prefix + "_" + topic }

func (q *Queue) subject(topic, key string) string {
	return q.cfg.Prefix + "." + topic + ".k" + base64.RawURLEncoding.EncodeToString([]byte(key))
}

// key returns the message key of a subject of topic.
func (q *Queue) key(topic, subject string) (string, error) {
	enc, ok := strings.CutPrefix(subject, q.cfg.Prefix+"."+topic+".k")
	if !ok {
		return "", fmt.Errorf("subject %q is not of topic %s", subject, topic)
	}
	key, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("key of subject %q: %w", subject, err)
	}
	return string(key), nil
}

// validName reports whether s can name a stream, a consumer and a subject token.
func validName(s string) bool {
	return s != "" && len(s) <= 128 && !strings.ContainsAny(s, ".*> \t\r\n/\\")
}

// Declare creates topic's stream and a durable consumer per group, or updates them.
func (q *Queue) Declare(ctx context.Context, topic string, groups ...string) error {
	if q.isClosed() {
		return queue.ErrClosed
	}
	if !validName(topic) {
		return fmt.Errorf("declare topic %q: not a valid NATS name", topic)
	}
	limit := min(int64(q.cfg.MaxMessageBytes), q.cfg.MaxBytes)
	retention := jetstream.InterestPolicy
	if q.trims() {
		retention = jetstream.LimitsPolicy // what every group acknowledged is trimmed
	}
	_, err := q.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       q.streamName(topic),
		Subjects:   []string{q.cfg.Prefix + "." + topic + ".>"},
		Retention:  retention,
		Discard:    jetstream.DiscardNew,
		MaxBytes:   q.cfg.MaxBytes,
		MaxMsgSize: int32(min(limit+payloadSlack, maxMessageBytes)),
		Storage:    jetstream.FileStorage,
		Replicas:   q.cfg.Replicas,
	})
	if err != nil {
		return fmt.Errorf("declare stream %s: %w", q.streamName(topic), err)
	}
	for _, g := range groups {
		if !validName(g) {
			return fmt.Errorf("declare group %q: not a valid NATS name", g)
		}
		if _, err := q.js.CreateOrUpdateConsumer(ctx, q.streamName(topic), q.consumerConfig(g)); err != nil {
			return fmt.Errorf("declare group %s of %s: %w", g, topic, err)
		}
	}
	q.mu.Lock()
	q.topics[topic] = true
	q.mu.Unlock()
	return nil
}

func (q *Queue) consumerConfig(group string) jetstream.ConsumerConfig {
	maxDeliver := q.cfg.MaxDeliver
	if maxDeliver == 0 {
		maxDeliver = -1
	}
	return jetstream.ConsumerConfig{
		Durable:       group,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       q.cfg.AckWait,
		MaxDeliver:    maxDeliver,
		MaxAckPending: q.cfg.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
}

// Publish sends every message at once and waits for the server's acknowledgement of each
// and, on the embedded server with fsync "always", for a sync of the topic's files that
// began after them, which the calls of other goroutines share (group commit).
func (q *Queue) Publish(ctx context.Context, topic string, msgs ...queue.Message) error {
	if q.isClosed() || q.isSealed(topic) {
		return queue.ErrClosed
	}
	if !q.nc.IsConnected() {
		// The client would keep the messages until it is connected again, and this call
		// would wait up to publish_timeout: refuse now, so that the gateway answers 503.
		q.m.PublishErrors.WithLabelValues(topic, reasonUnavailable).Inc()
		return fmt.Errorf("publish to %s: %w", topic, errDisconnected)
	}
	start := time.Now()
	err := q.publish(ctx, topic, msgs)
	if err != nil {
		if !errors.Is(err, queue.ErrClosed) && ctx.Err() == nil {
			q.m.PublishErrors.WithLabelValues(topic, publishReason(err)).Inc()
		}
		return err
	}
	q.m.Published.WithLabelValues(topic).Add(float64(len(msgs)))
	q.m.Confirm.WithLabelValues(topic).Observe(time.Since(start).Seconds())
	return nil
}

func (q *Queue) publish(ctx context.Context, topic string, msgs []queue.Message) error {
	limit := min(int64(q.cfg.MaxMessageBytes), q.cfg.MaxBytes)
	for _, m := range msgs {
		if int64(len(m.Body)) > limit {
			return fmt.Errorf("publish to %s: a body of %d bytes, over %d: %w", topic, len(m.Body), limit, queue.ErrTooLarge)
		}
	}
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := q.pjs.PublishMsgAsync(q.enc.message(q.subject(topic, m.Key), m.Body))
		if err != nil {
			return q.publishError(topic, err)
		}
		futures = append(futures, f)
	}
	timer := time.NewTimer(q.cfg.PublishTimeout)
	defer timer.Stop()
	var first error
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if first == nil {
				first = q.publishError(topic, err)
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return fmt.Errorf("publish to %s: no acknowledgement after %s", topic, q.cfg.PublishTimeout)
		case <-q.closed:
			return queue.ErrClosed
		}
	}
	if first == nil && q.sync != nil {
		return q.sync.wait(ctx, topic)
	}
	return first
}

// publishError maps the server's refusals to the queue's errors.
func (q *Queue) publishError(topic string, err error) error {
	var apiErr *jetstream.APIError
	msg := err.Error()
	switch {
	case errors.Is(err, natsio.ErrConnectionClosed) && q.isClosed():
		return queue.ErrClosed
	case errors.Is(err, jetstream.ErrNoStreamResponse), errors.Is(err, natsio.ErrNoResponders):
		return fmt.Errorf("publish to %s: no stream: %w", topic, queue.ErrUnknownTopic)
	case strings.Contains(msg, "maximum bytes exceeded"), strings.Contains(msg, "maximum messages exceeded"),
		strings.Contains(msg, "insufficient resources"):
		return fmt.Errorf("publish to %s: %w: %w", topic, queue.ErrFull, err)
	case errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum,
		errors.Is(err, natsio.ErrMaxPayload), strings.Contains(msg, "message size exceeds maximum"):
		return fmt.Errorf("publish to %s: %w: %w", topic, queue.ErrTooLarge, err)
	}
	return fmt.Errorf("publish to %s: %w", topic, err)
}

// Seal makes Publish on topic fail, and Receive end once the group is drained; it
// concerns this process only.
func (q *Queue) Seal(topic string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sealed[topic] = true
}

// Durable reports that the streams are on disk (or in the cluster): what the groups did not
// acknowledge is delivered again after the process starts again, the embedded server's
// store included.
func (q *Queue) Durable() bool { return true }

func (q *Queue) isSealed(topic string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.sealed[topic]
}

func (q *Queue) isClosed() bool {
	select {
	case <-q.closed:
		return true
	default:
		return false
	}
}

// Backlog returns the bytes of the declared topics' streams, read at most a second ago.
func (q *Queue) Backlog() queue.Backlog {
	return queue.Backlog{Bytes: q.backlog.Load(), Budget: q.cfg.MaxBacklogBytes}
}

func (q *Queue) refreshBacklog() {
	tick := time.NewTicker(backlogRefresh)
	defer tick.Stop()
	for {
		select {
		case <-q.closed:
			return
		case <-tick.C:
		}
		if !q.nc.IsConnected() {
			continue // the figure of before the loss stands until the server is back
		}
		q.mu.Lock()
		topics := make([]string, 0, len(q.topics))
		for t := range q.topics {
			topics = append(topics, t)
		}
		q.mu.Unlock()
		var total int64
		for _, t := range topics {
			n, err := q.refreshTopic(t)
			if err != nil {
				if !q.isClosed() {
					q.log.Warn("refresh the stream", "stream", q.streamName(t), "err", err)
				}
				continue
			}
			total += n
		}
		q.backlog.Store(total)
	}
}

// refreshTopic trims topic's stream and returns the bytes it keeps.
func (q *Queue) refreshTopic(topic string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), backlogRefresh)
	defer cancel()
	s, err := q.js.Stream(ctx, q.streamName(topic))
	if err != nil {
		return 0, err
	}
	if q.trims() {
		if err := q.trim(ctx, topic, s); err != nil {
			return 0, err
		}
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, err
	}
	return int64(info.State.Bytes), nil
}

// keepAlive tells the server, every third of ack_wait, that the deliveries the consumers
// hold are in progress: only a process that stopped talking to the server (a crash) has
// its deliveries sent again after ack_wait, never one that batches for longer.
func (q *Queue) keepAlive() {
	tick := time.NewTicker(q.cfg.AckWait / 3)
	defer tick.Stop()
	for {
		select {
		case <-q.closed:
			return
		case <-tick.C:
		}
		q.mu.Lock()
		cs := make([]*consumer, 0, len(q.consumers))
		for c := range q.consumers {
			cs = append(cs, c)
		}
		q.mu.Unlock()
		for _, c := range cs {
			c.inProgress()
		}
	}
}

// Close gives back the deliveries its consumers hold, closes the connection and stops
// the embedded server. Blocked calls return queue.ErrClosed.
func (q *Queue) Close() error {
	q.closeOnce.Do(func() {
		close(q.closed)
		q.endLife()
		q.mu.Lock()
		cs := make([]*consumer, 0, len(q.consumers))
		for c := range q.consumers {
			cs = append(cs, c)
		}
		q.mu.Unlock()
		for _, c := range cs {
			c.giveBack()
		}
		for _, nc := range []*natsio.Conn{q.nc, q.pub} {
			if nc != nil {
				_ = nc.Flush()
			}
		}
		q.loops.Wait()
		q.shutdown()
	})
	return nil
}

func (q *Queue) shutdown() {
	for _, nc := range []*natsio.Conn{q.pub, q.nc} {
		if nc != nil {
			nc.Close()
		}
	}
	if q.srv != nil {
		q.srv.stop()
	}
	q.enc.close()
}
