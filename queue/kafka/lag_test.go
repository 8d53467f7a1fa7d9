package kafka

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// acks returns n acknowledged records of 100 bytes on partition 0 from offset first.
func acks(first int64, n int) []produced {
	out := make([]produced, n)
	for i := range out {
		out[i] = produced{partition: 0, offset: first + int64(i), bytes: 100}
	}
	return out
}

func TestLagEstimate(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	type step struct {
		do      string          // "admit", "finish" or "refresh"
		n, k    int64           // admit: bytes and records; refresh: records uncommitted
		acked   []produced      // finish: what the broker acknowledged of the n bytes
		ends    map[int32]int64 // refresh: end offsets read
		at      time.Duration
		wantOK  bool
		wantOld bool
	}
	tests := []struct {
		name  string
		max   int64
		steps []step
		want  int64 // estimate at the end
	}{
		{"first call sets the average", 1000, []step{
			{do: "refresh", k: 5},
			{do: "admit", n: 400, k: 4, at: time.Millisecond, wantOK: true}, // 5×100 + 400 fits 1000
			{do: "admit", n: 200, k: 2, at: time.Millisecond, wantOK: false},
		}, 400}, // no record acknowledged yet: no average outside a call
		{"own records count until a group commits them", 1000, []step{
			{do: "refresh", ends: map[int32]int64{0: 0}},
			{do: "admit", n: 600, k: 6, wantOK: true},
			{do: "finish", n: 600, acked: acks(0, 6)},
			{do: "admit", n: 600, k: 6, wantOK: false},
			{do: "refresh", k: 6, ends: map[int32]int64{0: 6}, at: time.Second}, // nothing committed
			{do: "admit", n: 500, k: 5, at: time.Second, wantOK: false},
			{do: "refresh", k: 1, ends: map[int32]int64{0: 6}, at: 2 * time.Second}, // five committed
			{do: "admit", n: 500, k: 5, at: 2 * time.Second, wantOK: true},
		}, 600},
		{"acknowledged after the refresh read the ends: counted once", 1 << 20, []step{
			{do: "refresh", ends: map[int32]int64{0: 0}},
			{do: "finish", acked: acks(0, 6)},
		}, 600},
		{"acknowledged before the refresh read the ends: counted once", 1 << 20, []step{
			{do: "refresh", ends: map[int32]int64{0: 0}},
			{do: "finish", acked: acks(0, 6)},
			{do: "refresh", k: 6, ends: map[int32]int64{0: 6}},
		}, 600},
		{"stale after the refresh interval", 1 << 20, []step{
			{do: "refresh"},
			{do: "admit", n: 1, k: 1, at: lagRefreshEvery / 2, wantOK: true},
			{do: "admit", n: 1, k: 1, at: lagRefreshEvery, wantOK: true, wantOld: true},
		}, 2},
		{"failed records free their reservation", 1000, []step{
			{do: "refresh"},
			{do: "admit", n: 900, k: 9, wantOK: true},
			{do: "finish", n: 900},
			{do: "admit", n: 900, k: 9, wantOK: true},
		}, 900},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &lagEstimate{max: tc.max}
			for i, s := range tc.steps {
				switch s.do {
				case "admit":
					ok, old := l.admit(s.n, s.k, t0.Add(s.at))
					require.Equal(t, s.wantOK, ok, "step %d", i)
					require.Equal(t, s.wantOld, old, "step %d: stale", i)
				case "finish":
					l.finish(s.n, s.acked)
				case "refresh":
					l.update(s.k, s.ends, t0.Add(s.at))
				}
			}
			require.Equal(t, tc.want, l.estimate())
		})
	}
}
