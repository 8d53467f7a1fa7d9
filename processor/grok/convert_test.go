package grok

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseInt(t *testing.T) {
	for _, s := range []string{"0", "-0", "+7", "42", "-9223372036854775808", "9223372036854775807",
		"9223372036854775808", "-9223372036854775809", "", "-", "+", "1.0", "1e3", "0x10", "1_000", " 1", "99999999999999999999"} {
		t.Run(s, func(t *testing.T) {
			want, err := strconv.ParseInt(s, 10, 64)
			got, ok := parseInt([]byte(s))
			require.Equal(t, err == nil, ok)
			if ok {
				require.Equal(t, want, got)
			}
		})
	}
}

func TestParseFloat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true}, {"-2", -2, true}, {".5", 0.5, true}, {"3.", 3, true}, {"1e3", 1000, true},
		{"1E-2", 0.01, true}, {"1e999", 0, false}, {"NaN", 0, false}, {"Inf", 0, false}, {"0x1p3", 0, false},
		{"1_0", 0, false}, {"", 0, false}, {".", 0, false}, {"e5", 0, false}, {"1.2.3", 0, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseFloat([]byte(tt.in))
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseBool(t *testing.T) {
	for s, want := range map[string]bool{"true": true, "TRUE": true, "t": true, "Yes": true, "y": true, "on": true, "1": true,
		"false": false, "F": false, "no": false, "N": false, "OFF": false, "0": false} {
		got, ok := parseBool([]byte(s))
		require.True(t, ok, s)
		require.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "2", "yess", "truex", "maybe", "enabled"} {
		_, ok := parseBool([]byte(s))
		require.False(t, ok, s)
	}
}

// FuzzParseNumbers checks the number conversions against strconv.
func FuzzParseNumbers(f *testing.F) {
	for _, s := range []string{"42", "-9223372036854775808", "1.5e3", ".5", "1e999", "0x10", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseInt([]byte(s))
		want, err := strconv.ParseInt(s, 10, 64)
		require.Equal(t, err == nil, ok, "%q", s)
		if ok {
			require.Equal(t, want, n)
		}
		x, ok := parseFloat([]byte(s))
		wantF, err := strconv.ParseFloat(s, 64)
		plain := s != "" && len(s) <= 64 && strings.Trim(s, "0123456789.eE+-") == ""
		require.Equal(t, err == nil && plain && !math.IsInf(wantF, 0), ok, "%q", s)
		if ok {
			require.Equal(t, wantF, x)
		}
	})
}
