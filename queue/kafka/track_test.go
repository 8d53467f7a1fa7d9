package kafka

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
)

// flights returns n flights of partition p at offsets from first, added in order.
func flights(p *partition, first int64, n int) []*flight {
	fs := make([]*flight, n)
	for i := range fs {
		fs[i] = &flight{rec: &kgo.Record{Offset: first + int64(i)}, part: p}
		p.add(fs[i])
	}
	return fs
}

func TestPartitionCommitOffset(t *testing.T) {
	tests := []struct {
		name    string
		settle  []int // indexes of the five flights (offsets 10..14), in settling order
		nack    []int // indexes requeued for redelivery instead
		want    int64
		wantWin int
	}{
		{"nothing settled", nil, nil, 10, 5},
		{"in order", []int{0, 1}, nil, 12, 3},
		{"out of order, gap at the start", []int{1, 2, 4}, nil, 10, 5},
		{"gap filled", []int{1, 2, 0}, nil, 13, 2},
		{"all", []int{4, 3, 2, 1, 0}, nil, 15, 0},
		{"nacked holds the commit", []int{1, 2, 3, 4}, []int{0}, 10, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPartition(3)
			fs := flights(p, 10, 5)
			for _, i := range tc.nack {
				p.requeue(fs[i])
			}
			for _, i := range tc.settle {
				p.settle(fs[i])
			}
			require.Equal(t, tc.want, p.commitOffset())
			require.Len(t, p.window, tc.wantWin)
		})
	}
}

func TestPartitionRequeueKeepsOffsetOrder(t *testing.T) {
	p := newPartition(0)
	fs := flights(p, 0, 6)
	for _, i := range []int{4, 1, 5, 2} {
		p.requeue(fs[i])
	}
	var offsets []int64
	for _, f := range p.again {
		offsets = append(offsets, f.rec.Offset)
	}
	require.Equal(t, []int64{1, 2, 4, 5}, offsets)
}

func TestAttempts(t *testing.T) {
	a := newAttempts()
	k := attemptKey{ktopic: "t", kgroup: "g", part: 1}
	other := attemptKey{ktopic: "t", kgroup: "g2", part: 1}
	require.Equal(t, 1, a.next(k, 5))
	require.Equal(t, 2, a.next(k, 5))
	require.Equal(t, 1, a.next(k, 6))
	require.Equal(t, 1, a.next(other, 5), "groups count apart")
	a.forget(k, 6) // committed past 5
	require.Equal(t, 1, a.next(k, 5), "a forgotten record starts again")
	require.Equal(t, 2, a.next(k, 6), "records at or above the commit are kept")
	a.forget(other, 100)
	_, ok := a.m[other]
	require.False(t, ok, "an empty partition entry is dropped")
}
