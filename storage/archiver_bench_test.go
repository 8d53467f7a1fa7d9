package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/fs"
	"github.com/trolly-logs/trolly/storage/storagetest"
)

type countAcker struct{ acks atomic.Int64 }

func (c *countAcker) Ack(uint64) error           { c.acks.Add(1); return nil }
func (c *countAcker) Nack(uint64, error) error   { return nil }
func (c *countAcker) Reject(uint64, error) error { return nil }

// benchChunkBytes is below the NDJSON of the whole corpus (1.4 MB), so that no chunk
// holds a line twice as the benchmark cycles through it: the ratio stays honest.
const benchChunkBytes = 1 << 20

// benchBatches turns the public samples into event batches of 100 events of one stream
// and one hour, and returns their bodies, event counts and NDJSON sizes.
func benchBatches(b *testing.B) (bodies [][]byte, events []int, ndjson []int64) {
	lines := corpusLines(b)
	for start := 0; start+100 <= len(lines); start += 100 {
		batch := batchOf("acme", "syslog", fmt.Sprint(start/100))
		var size int64
		for i, line := range lines[start : start+100] {
			ev := event(fmt.Sprintf("01HWZ3Q8V4K7N2M5P9R1S6T0XY-%d", start+i), hour13.Add(time.Duration(start+i)*400*time.Millisecond), line)
			batch.Events = append(batch.Events, ev)
			size += int64(len(ev.Source)) + 1
		}
		body, err := proto.Marshal(batch)
		require.NoError(b, err)
		bodies, events, ndjson = append(bodies, body), append(events, len(batch.Events)), append(ndjson, size)
	}
	return bodies, events, ndjson
}

func BenchmarkArchiver(b *testing.B) {
	bodies, events, ndjson := benchBatches(b)
	buckets := map[string]func(b *testing.B) storage.Bucket{
		"bucket=mem": func(*testing.B) storage.Bucket { return storagetest.NewMemBucket() },
		"bucket=fs": func(b *testing.B) storage.Bucket {
			bk, err := fs.New(filepath.Join(b.TempDir(), "archive"))
			require.NoError(b, err)
			return bk
		},
	}
	for _, name := range []string{"bucket=mem", "bucket=fs"} {
		b.Run(name, func(b *testing.B) {
			reg := prometheus.NewRegistry()
			q := &scriptQueue{steps: make(chan step, 4)}
			acker := &countAcker{}
			a := storage.NewArchiver(storage.ArchiverConfig{MaxChunkBytes: benchChunkBytes}, q, buckets[name](b), nil, reg, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- a.Run(ctx) }()

			b.ReportAllocs()
			b.SetBytes(ndjson[0])
			b.ResetTimer()
			var nEvents, nBytes int64
			for i := 0; i < b.N; i++ {
				j := i % len(bodies)
				q.steps <- step{ds: []*queue.Delivery{queue.NewDelivery(queue.Message{Body: bodies[j]}, 1, acker, uint64(i))}}
				nEvents += int64(events[j])
				nBytes += ndjson[j]
			}
			close(q.steps)
			require.NoError(b, <-done)
			b.StopTimer()
			require.Equal(b, int64(b.N), acker.acks.Load())
			raw, stored := sumMetric(b, reg, "trolly_archiver_uncompressed_bytes_total"), sumMetric(b, reg, "trolly_archiver_compressed_bytes_total")
			require.Equal(b, float64(nBytes), raw)
			b.ReportMetric(float64(nEvents)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(raw/stored, "ratio")
		})
	}
}

func sumMetric(b *testing.B, reg *prometheus.Registry, name string) float64 {
	families, err := reg.Gather()
	require.NoError(b, err)
	var sum float64
	for _, f := range families {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func BenchmarkReadChunk(b *testing.B) {
	lines := corpusLines(b)
	var ndjson []byte
	for i, line := range lines {
		ndjson = append(ndjson, event(fmt.Sprint(i), hour13, line).Source...)
		ndjson = append(ndjson, '\n')
	}
	chunk := encode(b, ndjson)
	b.ReportAllocs()
	b.SetBytes(int64(len(ndjson)))
	docs := 0
	for b.Loop() {
		got, err := storage.ReadChunk(chunk)
		if err != nil {
			b.Fatal(err)
		}
		docs += len(got)
	}
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
}
