package epoch

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScan(t *testing.T) {
	tests := []struct {
		in     string
		u      Unit
		ns     int64
		n      int
		failed bool
	}{
		{"1714557600", Auto, 1714557600e9, 10, false},
		{"1714557600.5 rest", Auto, 1714557600e9 + 5e8, 12, false},
		{"1714557600.123456789123", Auto, 1714557600123456789, 23, false},
		{"1714557600123", Auto, 1714557600123e6, 13, false},
		{"1714557600123.5", Auto, 1714557600123e6 + 5e5, 15, false},
		{"1714557600123456", Auto, 1714557600123456e3, 16, false},
		{"1714557600123456789", Auto, 1714557600123456789, 19, false},
		{"1714557600.", Auto, 1714557600e9, 10, false}, // the '.' is not the number's
		{"12", Seconds, 12e9, 2, false},
		{"12.25", Millis, 12e6 + 25e4, 5, false},
		{"12", Nanos, 12, 2, false},
		{"9999999999", Seconds, 0, 0, true},                        // past 2262
		{"99999999999999999999", Nanos, 0, 0, true},                // 20 digits
		{"9223372036854775807.9", Nanos, math.MaxInt64, 21, false}, // a fraction of a tick is dropped
		{"9223372036854775.808", Micros, 0, 0, true},
		{"", Auto, 0, 0, true},
		{"-1", Auto, 0, 0, true},
		{".5", Auto, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ns, n, ok := Scan([]byte(tt.in), tt.u)
			require.Equal(t, !tt.failed, ok)
			require.Equal(t, tt.ns, ns)
			require.Equal(t, tt.n, n)
		})
	}
}

func TestUnitOf(t *testing.T) {
	require.Equal(t, Seconds, UnitOf(1e11-1))
	require.Equal(t, Millis, UnitOf(1e11))
	require.Equal(t, Micros, UnitOf(1e14))
	require.Equal(t, Nanos, UnitOf(1e17))
	require.Equal(t, Nanos, UnitOf(math.MaxUint64))
}

// FuzzScan checks that Scan never reads past v, and reads only digits and one fraction.
func FuzzScan(f *testing.F) {
	for _, s := range []string{"1714557600", "1714557600.5", "1714557600123456789", "1.", "", "99999999999999999999"} {
		f.Add([]byte(s), int64(0))
	}
	f.Fuzz(func(t *testing.T, v []byte, u int64) {
		units := []Unit{Auto, Seconds, Millis, Micros, Nanos}
		unit := units[uint64(u)%uint64(len(units))]
		ns, n, ok := Scan(v, unit)
		if !ok {
			require.Zero(t, n)
			return
		}
		require.LessOrEqual(t, n, len(v))
		require.GreaterOrEqual(t, ns, int64(0))
		for i, c := range v[:n] {
			require.True(t, IsDigit(c) || (c == '.' && i > 0), "byte %d of %q", i, v[:n])
		}
	})
}
