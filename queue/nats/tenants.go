package nats

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/queue"
)

// maxTracked bounds the messages of a topic followed one by one. A record is 24 bytes and
// its slice is compacted before it grows past twice what it holds, so a topic's records
// take at most about 32 MiB. Past the bound, a tenant's further messages of the topic are
// summed and settled together, once every group's ack floor has passed the last of them.
const maxTracked = 1 << 19

// trackedLimit is maxTracked, lowered by tests.
var trackedLimit = maxTracked

// followerInactive is how long the server keeps the follower of a process that stopped
// (crashed) before deleting it; until then it counts as interest in what it has not read.
const followerInactive = 10 * time.Second

// maxGroups is how many groups of a topic acknowledgements are told apart for.
const maxGroups = 32

// tenantBacklog splits the backlog by tenant, right across processes and restarts. Per
// declared topic it follows:
//   - the stream itself, with an ordered consumer that reads only headers: each message's
//     sequence, subject (its key, so its tenant) and size (the Nats-Msg-Size header the
//     server adds). It sees what every process publishes and, after a restart, what the
//     disk still holds;
//   - the acknowledgements every process's consumers send the server ($JS.ACK.<stream>...):
//     a message leaves its tenant's share once every group acknowledged it, even while it
//     stays on disk behind another tenant's message that a group still holds;
//   - each second, the stream's first sequence and the groups' ack floors, which settle what
//     was removed, or acknowledged unseen (before this process started, or while the
//     subscription was away).
//
// It starts with the first TenantBacklog call, so only the processes that ask (the
// gateway's) follow the streams.
type tenantBacklog struct {
	q      *Queue
	max    int // trackedLimit
	wake   chan struct{}
	wakeUp sync.Once

	mu      sync.Mutex
	tenants map[string]*share
	topics  map[string]*followed
}

// share is a tenant's part of the backlog.
type share struct {
	tenant string
	bytes  int64
	refs   int // the records and spills that hold bytes of it
}

// followed is what tenantBacklog knows of one topic's stream.
type followed struct {
	topic, stream string
	cc            jetstream.ConsumeContext
	subs          []*natsio.Subscription

	recs   []record // by sequence; settled ones (share nil) wait for a compaction
	live   int      // records not settled
	last   uint64   // the highest sequence the follower read
	first  uint64   // the stream's first sequence, at the last refresh
	groups []group
	// early holds the acknowledgements (group bits) of messages the follower has not read
	// yet: a consumer may be faster than it.
	early map[uint64]uint32
	spill map[*share]*spill
}

type record struct {
	seq   uint64
	share *share
	size  uint32
	acked uint32 // a bit per group that acknowledged it
}

type group struct {
	name    string
	bit     uint32
	floor   uint64 // its ack floor: everything up to it is acknowledged
	present bool   // it is a durable of the stream now
}

// spill is the messages of a tenant past maxTracked, settled when the floors pass last.
type spill struct {
	bytes int64
	last  uint64
}

func newTenantBacklog(q *Queue, reg prometheus.Registerer) *tenantBacklog {
	tb := &tenantBacklog{q: q, max: trackedLimit, wake: make(chan struct{}), tenants: map[string]*share{}, topics: map[string]*followed{}}
	queue.RegisterTenantBacklog(reg, q.cfg.MaxTenantBacklogBytes, tb.snapshot)
	return tb
}

// TenantBacklog returns the bytes of tenant's messages that some group has not
// acknowledged yet, all declared topics together, and the budget max_tenant_backlog_bytes.
// The first call starts following the streams; until the follower has read them (a moment
// after a start), the figure is short of what they hold.
func (q *Queue) TenantBacklog(tenant string) queue.Backlog {
	return queue.Backlog{Bytes: q.tenants.held(tenant), Budget: q.cfg.MaxTenantBacklogBytes}
}

var _ queue.TenantBacklogger = (*Queue)(nil)

func (tb *tenantBacklog) held(tenant string) int64 {
	tb.wakeUp.Do(func() { close(tb.wake) })
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if s := tb.tenants[tenant]; s != nil {
		return s.bytes
	}
	return 0
}

func (tb *tenantBacklog) snapshot() map[string]int64 {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	out := make(map[string]int64, len(tb.tenants))
	for t, s := range tb.tenants {
		if s.bytes > 0 {
			out[t] = s.bytes
		}
	}
	return out
}

// run follows the declared topics, once woken, until the queue closes.
func (tb *tenantBacklog) run() {
	select {
	case <-tb.q.closed:
		return
	case <-tb.wake:
	}
	defer tb.stop()
	tick := time.NewTicker(backlogRefresh)
	defer tick.Stop()
	for {
		tb.q.mu.Lock()
		topics := slices.Collect(maps.Keys(tb.q.topics))
		tb.q.mu.Unlock()
		for _, t := range topics {
			if err := tb.refresh(t); err != nil && !tb.q.isClosed() {
				tb.q.log.Warn("follow the stream's tenants", "stream", tb.q.streamName(t), "err", err)
			}
		}
		select {
		case <-tb.q.closed:
			return
		case <-tick.C:
		}
	}
}

// refresh starts following topic if it is not yet, and settles what its stream no longer
// holds and what every group's ack floor has passed.
func (tb *tenantBacklog) refresh(topic string) error {
	f, err := tb.follow(topic)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), backlogRefresh)
	defer cancel()
	s, err := tb.q.js.Stream(ctx, f.stream)
	if err != nil {
		return err
	}
	floors := map[string]uint64{}
	list := s.ListConsumers(ctx)
	for info := range list.Info() {
		if info.Config.Durable != "" {
			floors[info.Config.Durable] = info.AckFloor.Stream
		}
	}
	if err := list.Err(); err != nil {
		return err
	}
	state := s.CachedInfo().State
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if state.LastSeq < f.last { // the stream was made again: start over
		tb.unfollowLocked(f)
		return nil
	}
	tb.settleLocked(f, state.FirstSeq, floors)
	return nil
}

// follow returns the followed topic, starting to follow it when it is not yet.
func (tb *tenantBacklog) follow(topic string) (*followed, error) {
	tb.mu.Lock()
	f := tb.topics[topic]
	tb.mu.Unlock()
	if f != nil {
		return f, nil
	}
	f = &followed{topic: topic, stream: tb.q.streamName(topic), early: map[uint64]uint32{}, spill: map[*share]*spill{}}
	tb.mu.Lock()
	tb.topics[topic] = f // before the first message comes, which published drops otherwise
	tb.mu.Unlock()
	// Acknowledgements in both forms of the reply subject: $JS.ACK.<stream>.<consumer>.
	// <delivered>.<stream seq>.<consumer seq>.<time>.<pending>, and the newer one with a
	// domain and an account hash before the stream.
	for _, subj := range []string{"$JS.ACK." + f.stream + ".*.*.*.*.*.*", "$JS.ACK.*.*." + f.stream + ".*.*.*.*.*.>"} {
		sub, err := tb.q.nc.Subscribe(subj, func(m *natsio.Msg) { tb.acked(f, m) })
		if err != nil {
			tb.unfollow(f)
			return nil, err
		}
		f.subs = append(f.subs, sub)
	}
	ctx, cancel := context.WithTimeout(context.Background(), backlogRefresh)
	defer cancel()
	cons, err := tb.q.js.OrderedConsumer(ctx, f.stream, jetstream.OrderedConsumerConfig{
		HeadersOnly: true, InactiveThreshold: followerInactive,
	})
	if err == nil {
		f.cc, err = cons.Consume(func(m jetstream.Msg) { tb.published(f, m) },
			jetstream.ConsumeErrHandler(func(jetstream.ConsumeContext, error) {})) // it recovers on its own
	}
	if err != nil {
		tb.unfollow(f)
		return nil, err
	}
	return f, nil
}

// published records a message the follower read.
func (tb *tenantBacklog) published(f *followed, m jetstream.Msg) {
	md, err := m.Metadata()
	if err != nil {
		return
	}
	key, err := tb.q.key(f.topic, m.Subject())
	if err != nil {
		return
	}
	size, err := strconv.ParseUint(m.Headers().Get(natsio.MsgSize), 10, 32)
	if err != nil {
		size = uint64(len(m.Data()))
	}
	seq := md.Sequence.Stream
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.topics[f.topic] != f || seq <= f.last {
		return
	}
	f.last = seq
	acked := f.early[seq]
	delete(f.early, seq)
	r := record{seq: seq, size: uint32(size), acked: acked}
	if f.covered(r) {
		return
	}
	sh := tb.tenants[queue.TenantOf(key)]
	if sh == nil {
		sh = &share{tenant: queue.TenantOf(key)}
		tb.tenants[sh.tenant] = sh
	}
	sh.bytes += int64(size)
	if f.live >= tb.max {
		sp := f.spill[sh]
		if sp == nil {
			sp = &spill{}
			f.spill[sh] = sp
			sh.refs++
		}
		sp.bytes += int64(size)
		sp.last = seq
		return
	}
	if len(f.recs) == cap(f.recs) && f.live <= len(f.recs)/2 {
		f.compact()
	}
	r.share = sh
	sh.refs++
	f.recs = append(f.recs, r)
	f.live++
}

// acked records an acknowledgement a consumer sent the server.
func (tb *tenantBacklog) acked(f *followed, m *natsio.Msg) {
	if !isAck(m.Data) {
		return
	}
	tokens := strings.Split(m.Subject, ".")
	var consumer, sseq string
	switch {
	case len(tokens) == 9 && tokens[2] == f.stream:
		consumer, sseq = tokens[3], tokens[5]
	case len(tokens) >= 11 && tokens[4] == f.stream:
		consumer, sseq = tokens[5], tokens[7]
	default:
		return
	}
	seq, err := strconv.ParseUint(sseq, 10, 64)
	if err != nil {
		return
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	g := f.group(consumer)
	if g == nil {
		return
	}
	if seq > f.last {
		if len(f.early) < tb.max {
			f.early[seq] |= g.bit
		}
		return
	}
	i, found := slices.BinarySearchFunc(f.recs, seq, func(r record, s uint64) int { return cmp.Compare(r.seq, s) })
	if !found || f.recs[i].share == nil {
		return
	}
	f.recs[i].acked |= g.bit
	if f.covered(f.recs[i]) {
		tb.settleRecordLocked(f, &f.recs[i])
	}
}

// isAck reports whether an acknowledgement's body settles the message for its group: an
// ack (empty, +ACK, the older +OK, or +NXT that asks for more) or a termination (+TERM).
func isAck(body []byte) bool {
	s := string(body)
	return s == "" || s == "+ACK" || s == "+OK" || strings.HasPrefix(s, "+NXT") || strings.HasPrefix(s, "+TERM")
}

// group returns the group called name, adding it; nil past maxGroups.
func (f *followed) group(name string) *group {
	for i := range f.groups {
		if f.groups[i].name == name {
			return &f.groups[i]
		}
	}
	if len(f.groups) == maxGroups {
		return nil
	}
	f.groups = append(f.groups, group{name: name, bit: 1 << len(f.groups)})
	return &f.groups[len(f.groups)-1]
}

// covered reports whether r is out of the backlog: removed from the stream, or
// acknowledged by every group the stream has.
func (f *followed) covered(r record) bool {
	if r.seq < f.first {
		return true
	}
	some := false
	for _, g := range f.groups {
		if !g.present {
			continue
		}
		if r.acked&g.bit == 0 && r.seq > g.floor {
			return false
		}
		some = true
	}
	return some
}

// settleLocked takes the stream's first sequence and the groups' ack floors, and settles
// what they cover.
func (tb *tenantBacklog) settleLocked(f *followed, first uint64, floors map[string]uint64) {
	f.first = first
	for i := range f.groups {
		f.groups[i].present = false
	}
	mark := first - min(first, 1) // the records up to it may be covered
	for name, floor := range floors {
		if g := f.group(name); g != nil {
			g.present, g.floor = true, floor
			mark = max(mark, floor)
		}
	}
	for i := range f.recs {
		r := &f.recs[i]
		if r.seq > mark {
			break
		}
		if r.share != nil && f.covered(*r) {
			tb.settleRecordLocked(f, r)
		}
	}
	for sh, sp := range f.spill {
		if f.covered(record{seq: sp.last}) {
			tb.releaseLocked(sh, sp.bytes)
			delete(f.spill, sh)
		}
	}
	for seq := range f.early {
		if seq <= f.last || seq < first {
			delete(f.early, seq) // of a message removed before the follower read it
		}
	}
	if len(f.recs) > 2*f.live+1024 {
		f.compact()
	}
}

func (tb *tenantBacklog) settleRecordLocked(f *followed, r *record) {
	tb.releaseLocked(r.share, int64(r.size))
	r.share = nil
	f.live--
}

// releaseLocked takes n bytes from sh, held by one record or spill.
func (tb *tenantBacklog) releaseLocked(sh *share, n int64) {
	sh.bytes -= n
	sh.refs--
	if sh.refs == 0 {
		delete(tb.tenants, sh.tenant)
	}
}

// compact drops the settled records.
func (f *followed) compact() {
	f.recs = slices.DeleteFunc(f.recs, func(r record) bool { return r.share == nil })
}

func (tb *tenantBacklog) unfollow(f *followed) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.unfollowLocked(f)
}

// unfollowLocked forgets topic's stream, to follow it again from its start.
func (tb *tenantBacklog) unfollowLocked(f *followed) {
	for i := range f.recs {
		if f.recs[i].share != nil {
			tb.settleRecordLocked(f, &f.recs[i])
		}
	}
	for sh, sp := range f.spill {
		tb.releaseLocked(sh, sp.bytes)
	}
	delete(tb.topics, f.topic)
	go tb.stopFollowing(f) // it waits for callbacks, which take tb.mu
}

func (tb *tenantBacklog) stopFollowing(f *followed) {
	if f.cc != nil {
		f.cc.Stop()
	}
	for _, sub := range f.subs {
		_ = sub.Unsubscribe()
	}
}

// stop ends every follower.
func (tb *tenantBacklog) stop() {
	tb.mu.Lock()
	fs := slices.Collect(maps.Values(tb.topics))
	tb.mu.Unlock()
	for _, f := range fs {
		tb.stopFollowing(f)
	}
}
