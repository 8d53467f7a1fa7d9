package storage

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// nopAcker settles nothing: the buffer only returns deliveries, it never acks them.
type nopAcker struct{}

func (nopAcker) Ack(uint64) error           { return nil }
func (nopAcker) Nack(uint64, error) error   { return nil }
func (nopAcker) Reject(uint64, error) error { return nil }

func newPending(tag uint64) *pending {
	return &pending{d: queue.NewDelivery(queue.Message{Key: "t/s"}, 1, nopAcker{}, tag), left: 1}
}

var t0 = time.Date(2024, 5, 1, 13, 20, 0, 0, time.UTC)

func hourID(h int) chunkID {
	return chunkID{tenant: "t", stream: "s", hour: t0.Truncate(time.Hour).Add(time.Duration(h) * time.Hour).Unix()}
}

// writeAll marks every sealed chunk written and returns the deliveries completed.
func writeAll(b *buffer) []*queue.Delivery {
	var done []*queue.Delivery
	for len(b.sealed) > 0 {
		_, d := b.written(0)
		done = append(done, d...)
	}
	return done
}

func TestBufferSizeSeal(t *testing.T) {
	b := newBuffer(10)
	p := newPending(1)
	doc := []byte("abcd") // 5 bytes with its newline
	b.add(p, hourID(0), doc, t0)
	require.Empty(t, b.sealed)
	b.add(p, hourID(0), doc, t0)
	require.Len(t, b.sealed, 1, "10 bytes reach max_chunk_bytes")
	require.Equal(t, reasonSize, b.sealed[0].reason)
	require.Equal(t, "abcd\nabcd\n", string(b.sealed[0].data.appendTo(nil)))
	b.add(p, hourID(0), doc, t0)
	require.Len(t, b.open, 1, "the next event opens a new chunk")
	require.Equal(t, int64(15), b.bytes)

	require.Empty(t, writeAll(b), "the adder still holds the delivery")
	require.False(t, p.release(), "the open chunk still holds it")
	b.sealAll(reasonDrain)
	require.Len(t, writeAll(b), 1)
	require.Zero(t, b.bytes)
}

func TestBufferAgeSeal(t *testing.T) {
	const maxAge = 30 * time.Second
	b := newBuffer(1 << 20)
	b.add(newPending(1), hourID(0), []byte("{}"), t0)
	b.add(newPending(2), hourID(1), []byte("{}"), t0.Add(10*time.Second))
	b.add(newPending(3), hourID(0), []byte("{}"), t0.Add(20*time.Second))

	tests := []struct {
		name       string
		now        time.Time
		wantSealed int
		wantNext   time.Time
		wantOpen   bool
	}{
		{"none due", t0.Add(29 * time.Second), 0, t0.Add(maxAge), true},
		{"first due", t0.Add(30 * time.Second), 1, t0.Add(40 * time.Second), true},
		{"later: nothing new", t0.Add(35 * time.Second), 1, t0.Add(40 * time.Second), true},
		{"second due", t0.Add(41 * time.Second), 2, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, ok := b.sealAged(tt.now, maxAge)
			require.Len(t, b.sealed, tt.wantSealed)
			require.Equal(t, tt.wantOpen, ok)
			require.Equal(t, tt.wantNext, next)
			for _, c := range b.sealed {
				require.Equal(t, reasonAge, c.reason)
			}
		})
	}
	require.Equal(t, 2, b.sealed[0].events, "the hour-0 chunk kept the later event")
}

func TestBufferLimitSealsLargest(t *testing.T) {
	b := newBuffer(1 << 20)
	p := newPending(1)
	b.add(p, hourID(0), []byte(strings.Repeat("a", 99)), t0)
	b.add(p, hourID(1), []byte(strings.Repeat("b", 299)), t0)
	b.add(p, hourID(2), []byte(strings.Repeat("c", 199)), t0)
	require.Equal(t, int64(600), b.bytes)

	b.limit(600)
	require.Empty(t, b.sealed, "at the limit is not over it")
	b.limit(400)
	require.Len(t, b.sealed, 1)
	require.Equal(t, hourID(1), b.sealed[0].id)
	b.limit(400)
	require.Len(t, b.sealed, 1, "sealed chunks are about to be written: they do not count")
	b.limit(50)
	require.Len(t, b.sealed, 3)
	require.Equal(t, hourID(2), b.sealed[1].id)
	require.Equal(t, hourID(0), b.sealed[2].id)
	require.Equal(t, reasonMemory, b.sealed[2].reason)
	require.Equal(t, int64(600), b.bytes, "sealed chunks stay buffered until written")
}

func TestBufferAckCounting(t *testing.T) {
	b := newBuffer(1 << 20)
	p1, p2 := newPending(1), newPending(2)
	// p1 spans hours 0, 1 and 2, interleaved; p2 shares hour 1.
	for _, h := range []int{0, 1, 0, 2, 1} {
		b.add(p1, hourID(h), []byte("{}"), t0)
	}
	b.add(p2, hourID(1), []byte("{}"), t0)
	require.Equal(t, 4, p1.left, "three chunks and the adder's hold")
	require.Equal(t, 2, p2.left)
	require.False(t, p1.release())
	require.False(t, p2.release())

	seal := func(h int) { b.seal(b.open[hourID(h)], reasonAge) }
	seal(1)
	_, done := b.written(0)
	require.Equal(t, []*queue.Delivery{p2.d}, done)
	seal(0)
	_, done = b.written(0)
	require.Empty(t, done)
	seal(2)
	_, done = b.written(0)
	require.Equal(t, []*queue.Delivery{p1.d}, done)
}

func TestBufferUnfinished(t *testing.T) {
	b := newBuffer(1 << 20)
	p1, p2 := newPending(1), newPending(2)
	b.add(p1, hourID(0), []byte("{}"), t0)
	b.add(p1, hourID(1), []byte("{}"), t0)
	b.add(p2, hourID(1), []byte("{}"), t0)
	p1.release()
	p2.release()
	require.ElementsMatch(t, []*queue.Delivery{p1.d, p2.d}, b.unfinished())
	require.Empty(t, b.sealed)
	require.Empty(t, b.open)
	require.Nil(t, b.oldest())
	require.Zero(t, b.bytes)
}

func TestHourOf(t *testing.T) {
	tests := []struct {
		name string
		ts   time.Time
		want time.Time
	}{
		{"inside an hour", time.Date(2024, 5, 1, 13, 59, 59, 999999999, time.UTC), time.Date(2024, 5, 1, 13, 0, 0, 0, time.UTC)},
		{"on the hour", time.Date(2024, 5, 1, 14, 0, 0, 0, time.UTC), time.Date(2024, 5, 1, 14, 0, 0, 0, time.UTC)},
		{"other zone", time.Date(2024, 5, 1, 0, 30, 0, 0, time.FixedZone("x", 5*3600+1800)), time.Date(2024, 4, 30, 19, 0, 0, 0, time.UTC)},
		{"epoch", time.Unix(0, 0), time.Unix(0, 0)},
		{"before the epoch", time.Date(1969, 12, 31, 23, 0, 0, 1, time.UTC), time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"one ns before the epoch", time.Unix(0, -1), time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want.Unix(), hourOf(tt.ts.UnixNano()))
		})
	}
}

func TestAppendLine(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"plain", `{"a":1}`, "{\"a\":1}\n"},
		{"pretty printed", "{\n  \"a\": 1\n}", "{   \"a\": 1 }\n"},
		{"escaped newline kept", `{"m":"a\nb"}`, "{\"m\":\"a\\nb\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.doc)
			require.Equal(t, tt.want, string(appendLine([]byte(nil), src)))
			require.Equal(t, tt.doc, string(src), "the event's bytes stay untouched")
		})
	}
}

func TestBlocks(t *testing.T) {
	var bs blocks
	var want []byte
	big := strings.Repeat("x", 3*maxBlock)
	for i := range 2000 {
		doc := fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("p", i%300))
		if i == 1000 {
			doc = big
		}
		require.Equal(t, int64(len(doc)+1), bs.add([]byte(doc)))
		want = append(want, doc+"\n"...)
	}
	require.Equal(t, string(want), string(bs.appendTo(nil)))
	for i, b := range bs {
		require.LessOrEqual(t, cap(b), max(maxBlock, len(big)+1), "block %d", i)
		require.Equal(t, byte('\n'), b[len(b)-1], "block %d ends inside a line", i)
	}
}
