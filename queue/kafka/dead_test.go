package kafka

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/trolly-logs/trolly/queue"
)

// TestDeadLetterRecord checks the record Reject writes, as a tool such as kcat shows it.
func TestDeadLetterRecord(t *testing.T) {
	cluster := newCluster(t)
	cfg := testConfig(cluster)
	cfg.Prefix = "acme"
	q := newQueue(t, cfg)
	at := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	q.now = func() time.Time { return at }
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "events", "archiver"))
	require.NoError(t, q.Publish(ctx, "events", queue.Message{Key: "t1/s1", Body: []byte(`{"bad":`)}))
	c := subscribe(t, q, "events", "archiver")
	d := receive(t, c, 1)[0]
	require.NoError(t, d.Nack(errors.New("store down")))
	d = receive(t, c, 1)[0]
	require.NoError(t, d.Reject(errors.New("unparseable JSON")))

	// Read the letter and the original, whose place the letter names.
	cl, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics("acme.dead", "acme.events"),
		kgo.FetchMaxWait(100*time.Millisecond))
	require.NoError(t, err)
	defer cl.Close()
	recs := map[string]*kgo.Record{}
	for len(recs) < 2 {
		fetches := cl.PollFetches(ctx)
		require.NoError(t, fetches.Err())
		fetches.EachRecord(func(r *kgo.Record) { recs[r.Topic] = r })
	}
	rec, orig := recs["acme.dead"], recs["acme.events"]
	require.Equal(t, "t1/s1", string(rec.Key))
	require.Equal(t, `{"bad":`, string(rec.Value))
	headers := map[string]string{}
	for _, h := range rec.Headers {
		headers[h.Key] = string(h.Value)
	}
	require.Equal(t, map[string]string{
		HeaderReason: "unparseable JSON", HeaderTopic: "events", HeaderGroup: "archiver", HeaderKey: "t1/s1",
		HeaderAttempt: "2", HeaderRejectedAt: "2026-03-04T05:06:07.00000089Z",
		HeaderPartition: strconv.Itoa(int(orig.Partition)), HeaderOffset: strconv.FormatInt(orig.Offset, 10),
	}, headers)
	require.True(t, rec.Timestamp.Equal(at.Truncate(time.Millisecond)), "Kafka keeps milliseconds")
}

// TestDeadLettersOldestFirst reads letters in several calls: each returns the oldest left
// and removes them, for this Queue and any other of the cluster.
func TestDeadLettersOldestFirst(t *testing.T) {
	cluster := newCluster(t)
	q := newQueue(t, testConfig(cluster))
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "raw", "processor"))
	var msgs []queue.Message
	for i := range 5 {
		msgs = append(msgs, queue.Message{Key: fmt.Sprintf("k%d", i), Body: fmt.Appendf(nil, "m-%d", i)})
	}
	require.NoError(t, q.Publish(ctx, "raw", msgs...))
	c := subscribe(t, q, "raw", "processor")
	got := receive(t, c, 5)
	for i, d := range got {
		require.NoError(t, d.Reject(fmt.Errorf("reason %d", i)))
	}

	first, err := q.DeadLetters(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, bodies(got[:2]), letterBodies(first))
	require.Equal(t, "reason 0", first[0].Reason)
	other := newQueue(t, testConfig(cluster))
	rest, err := other.DeadLetters(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, bodies(got[2:]), letterBodies(rest), "another process reads on where this one stopped")
	none, err := q.DeadLetters(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, none)
	_, err = q.DeadLetters(ctx, 0)
	require.ErrorContains(t, err, "max must be > 0")
}

func letterBodies(dls []queue.DeadLetter) []string {
	out := make([]string, len(dls))
	for i, dl := range dls {
		out[i] = string(dl.Body)
	}
	return out
}

func TestDeadLetterCodecRoundTrip(t *testing.T) {
	tests := []queue.DeadLetter{
		{Message: queue.Message{Key: "t/s", Body: []byte("body")}, Topic: "raw", Group: "processor",
			Attempt: 3, Reason: "bad input", At: time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC)},
		{Message: queue.Message{Key: "", Body: nil}, Topic: "events", Group: "indexer", Attempt: 1,
			Reason: "", At: time.Date(2020, 2, 29, 23, 59, 59, 0, time.UTC)},
	}
	for i, dl := range tests {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			got := decodeDeadLetter(encodeDeadLetter("trolly.dead", dl, 4, 99))
			require.True(t, dl.At.Equal(got.At))
			got.At = dl.At
			if dl.Body == nil {
				require.Empty(t, got.Body)
				got.Body = nil
			}
			require.Equal(t, dl, got)
		})
	}
}

// FuzzDecodeDeadLetter feeds arbitrary headers, as a record written by another tool may
// carry: decoding never fails and keeps what parses.
func FuzzDecodeDeadLetter(f *testing.F) {
	f.Add("k", "body", "reason", "raw", "processor", "2", "2026-01-01T00:00:00Z")
	f.Add("", "", "", "", "", "-1", "yesterday")
	f.Add("a/b", "\x00\xff", "ünïcode", "t", "g", "99999999999999999999", "2026-13-45T99:99:99Z")
	f.Fuzz(func(t *testing.T, key, body, reason, topic, group, attempt, at string) {
		ts := time.Unix(1700000000, 0)
		r := &kgo.Record{Key: []byte(key), Value: []byte(body), Timestamp: ts, Headers: []kgo.RecordHeader{
			{Key: HeaderReason, Value: []byte(reason)}, {Key: HeaderTopic, Value: []byte(topic)},
			{Key: HeaderGroup, Value: []byte(group)}, {Key: HeaderAttempt, Value: []byte(attempt)},
			{Key: HeaderRejectedAt, Value: []byte(at)},
		}}
		dl := decodeDeadLetter(r)
		require.Equal(t, key, dl.Key)
		require.Equal(t, body, string(dl.Body))
		require.Equal(t, reason, dl.Reason)
		require.Equal(t, topic, dl.Topic)
		require.Equal(t, group, dl.Group)
		if n, err := strconv.Atoi(attempt); err == nil {
			require.Equal(t, n, dl.Attempt)
		} else {
			require.Zero(t, dl.Attempt)
		}
		if parsed, err := time.Parse(time.RFC3339Nano, at); err == nil {
			require.True(t, parsed.Equal(dl.At))
		} else {
			require.True(t, ts.Equal(dl.At), "falls back to the record's timestamp")
		}
	})
}
