package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseQueues(t *testing.T) {
	for list, want := range map[string][]string{
		"":                   {""},
		"nats":               {"nats"},
		"nats,memory":        {"nats", "memory"},
		" memory , nats ":    {"memory", "nats"},
		"nats-interval,nats": {"nats-interval", "nats"},
	} {
		got, err := parseQueues(list)
		require.NoError(t, err, list)
		require.Equal(t, want, got, list)
	}
	for list, msg := range map[string]string{
		"nats,,memory":     "an empty name",
		"nats,":            "an empty name",
		"nats,memory,nats": "nats twice",
		"nats,rabbit":      `-queue "rabbit"`,
		"memory nats":      `-queue "memory nats"`,
	} {
		_, err := parseQueues(list)
		require.ErrorContains(t, err, msg, list)
	}
}

// cells returns the figures of a row of the comparison, a column each, or the header's
// words for row "".
func cells(t *testing.T, out, row string) []string {
	t.Helper()
	lines := strings.Split(out, "\n")
	if row == "" {
		return strings.Fields(lines[0])
	}
	for _, l := range lines[1:] {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), row+" "); ok {
			return strings.Fields(rest)
		}
	}
	t.Fatalf("no row %q in\n%s", row, out)
	return nil
}

func TestPrintComparison(t *testing.T) {
	nats := report{
		queue: "nats", lines: 1000, accepted: 10 * time.Second, searchable: 20 * time.Second,
		cpu: 3 * time.Second, peakRSS: 300 << 20,
		disk:  &diskUse{seen: true, peak: 4 << 20, linesAtPeak: 800, end: 1 << 20},
		share: &cpuShare{in: 30, all: 100},
	}
	memory := report{
		queue: "memory", lines: 1000, accepted: 2 * time.Second, searchable: 10 * time.Second,
		cpu: 2 * time.Second, peakRSS: 200 << 20,
		disk:  &diskUse{},
		share: &cpuShare{in: 5, all: 100},
	}
	var out bytes.Buffer
	printComparison(&out, []report{nats, memory})
	got := out.String()
	require.Equal(t, []string{"nats", "memory", "nats", "as", "%", "of", "memory"}, cells(t, got, ""))
	require.Equal(t, []string{"100", "500", "20%"}, cells(t, got, "accepted lines/s"))
	require.Equal(t, []string{"50", "100", "50%"}, cells(t, got, "searchable lines/s"))
	require.Equal(t, []string{"3000.0", "2000.0", "150%"}, cells(t, got, "server CPU s per million lines"))
	require.Equal(t, []string{"300", "200", "150%"}, cells(t, got, "server peak RSS MiB"))
	require.Equal(t, []string{"4.0", "-", "-"}, cells(t, got, "queue disk peak MiB"))
	require.Equal(t, []string{"5243", "-", "-"}, cells(t, got, "queue disk peak bytes per line accepted by then"))
	require.Equal(t, []string{"1.0", "-", "-"}, cells(t, got, "queue disk at the end MiB"))
	require.Equal(t, []string{"30.0%", "5.0%", "600%"}, cells(t, got, "queue CPU share of the server's samples"))

	// Without the memory queue there is nothing to compare the default with.
	out.Reset()
	interval := nats
	interval.queue = "nats-interval"
	printComparison(&out, []report{nats, interval})
	require.Equal(t, []string{"nats", "nats-interval"}, cells(t, out.String(), ""))
	require.Equal(t, []string{"100", "100"}, cells(t, out.String(), "accepted lines/s"))

	// The binary's default is the durable default when nats itself did not run.
	out.Reset()
	def := nats
	def.queue = ""
	printComparison(&out, []report{memory, def})
	require.Equal(t, []string{"500", "100", "20%"}, cells(t, out.String(), "accepted lines/s"))

	// With -profile=false, and a run that measured no disk, those rows are empty.
	out.Reset()
	bare := memory
	bare.disk, bare.share = nil, nil
	printComparison(&out, []report{nats, bare})
	require.Equal(t, []string{"30.0%", "-", "-"}, cells(t, out.String(), "queue CPU share of the server's samples"))
	require.Equal(t, []string{"4.0", "-", "-"}, cells(t, out.String(), "queue disk peak MiB"))
}
