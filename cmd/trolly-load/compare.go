package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// parseQueues splits a -queue list such as "nats,memory" into names embeddedQueue takes.
// An empty list is one run on the binary's default queue.
func parseQueues(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return []string{""}, nil
	}
	var queues []string
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("-queue %q: an empty name in the list", list)
		}
		if _, err := embeddedQueue(name); err != nil {
			return nil, err
		}
		if slices.Contains(queues, name) {
			return nil, fmt.Errorf("-queue %q: %s twice", list, name)
		}
		queues = append(queues, name)
	}
	return queues, nil
}

func queueLabel(name string) string {
	if name == "" {
		return "default"
	}
	return name
}

// row is one figure of the comparison; ok is false where a run has none.
type row struct {
	name  string
	value func(r report) (v float64, ok bool)
	unit  string // printed after the value: "%" or ""
	digs  int    // decimals
}

var rows = []row{
	{"accepted lines/s", func(r report) (float64, bool) { return float64(r.lines) / r.accepted.Seconds(), r.accepted > 0 }, "", 0},
	{"searchable lines/s", func(r report) (float64, bool) { return float64(r.lines) / r.searchable.Seconds(), r.searchable > 0 }, "", 0},
	{"server CPU s per million lines", func(r report) (float64, bool) { return r.cpu.Seconds() / (float64(r.lines) / 1e6), r.cpu > 0 }, "", 1},
	{"server peak RSS MiB", func(r report) (float64, bool) { return mib(r.peakRSS), r.peakRSS > 0 }, "", 0},
	{"queue disk peak MiB", func(r report) (float64, bool) {
		if r.disk == nil || !r.disk.seen {
			return 0, false
		}
		return mib(r.disk.peak), true
	}, "", 1},
	{"queue disk peak bytes per line accepted by then", func(r report) (float64, bool) {
		if r.disk == nil || !r.disk.seen || r.disk.linesAtPeak == 0 {
			return 0, false
		}
		return r.disk.perLine(), true
	}, "", 0},
	{"queue disk at the end MiB", func(r report) (float64, bool) {
		if r.disk == nil || !r.disk.seen {
			return 0, false
		}
		return mib(r.disk.end), true
	}, "", 1},
	{"queue CPU share of the server's samples", func(r report) (float64, bool) {
		if r.share == nil || r.share.all == 0 {
			return 0, false
		}
		return r.share.percent(), true
	}, "%", 1},
}

// durableDefault is the index of the run on the durable default (nats, fsync always), and
// of the one on the memory queue, or -1.
func durableDefault(reps []report) (durable, memory int) {
	durable, memory = -1, -1
	for i, r := range reps {
		switch r.queue {
		case "nats":
			durable = i
		case "":
			if durable < 0 {
				durable = i
			}
		case "memory":
			memory = i
		}
	}
	return durable, memory
}

// printComparison prints each run as a column, and the durable default's figures as a
// percentage of the memory queue's where both ran.
func printComparison(w io.Writer, reps []report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	durable, memory := durableDefault(reps)
	width := 0
	for _, rw := range rows {
		width = max(width, len(rw.name))
	}
	fmt.Fprintf(tw, "%*s\t", width, "")
	for _, r := range reps {
		fmt.Fprintf(tw, "%s\t", queueLabel(r.queue))
	}
	if durable >= 0 && memory >= 0 {
		fmt.Fprintf(tw, "%s as %% of memory\t", queueLabel(reps[durable].queue))
	}
	fmt.Fprintln(tw)
	for _, rw := range rows {
		fmt.Fprintf(tw, "%-*s\t", width, rw.name) // padded: the writer aligns every cell right
		for _, r := range reps {
			if v, ok := rw.value(r); ok {
				fmt.Fprintf(tw, "%.*f%s\t", rw.digs, v, rw.unit)
			} else {
				fmt.Fprint(tw, "-\t")
			}
		}
		if durable >= 0 && memory >= 0 {
			d, dok := rw.value(reps[durable])
			m, mok := rw.value(reps[memory])
			if dok && mok && m != 0 {
				fmt.Fprintf(tw, "%.0f%%\t", 100*d/m)
			} else {
				fmt.Fprint(tw, "-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
}
