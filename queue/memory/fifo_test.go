package memory

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFIFO drives a fifo and a plain sorted slice with the same random pushes, pops and
// reinsertions of popped items; they must always agree.
func TestFIFO(t *testing.T) {
	tests := []struct {
		name    string
		ops     int
		popOdds int // out of 10; the rest are pushes or reinsertions
	}{
		{"mostly pushes", 2000, 3},
		{"balanced", 2000, 5},
		{"mostly pops", 2000, 7},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			var f fifo
			var model []uint64 // seqs in queue order
			var out []item     // popped, may come back
			seq := uint64(0)
			for range tc.ops {
				switch r := rng.IntN(10); {
				case r < tc.popOdds && len(model) > 0:
					it := f.pop()
					require.Equal(t, model[0], it.e.seq)
					model = model[1:]
					out = append(out, it)
				case r%2 == 0 && len(out) > 0:
					j := rng.IntN(len(out))
					f.insert(out[j])
					pos, _ := slices.BinarySearch(model, out[j].e.seq)
					model = slices.Insert(model, pos, out[j].e.seq)
					out = slices.Delete(out, j, j+1)
				default:
					seq++
					f.push(item{e: &entry{seq: seq}})
					model = append(model, seq)
				}
				require.Equal(t, len(model), f.len())
			}
			for _, want := range model {
				require.Equal(t, want, f.pop().e.seq)
			}
			require.Zero(t, f.len())
		})
	}
}
