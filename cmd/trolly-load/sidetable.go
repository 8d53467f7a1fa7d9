package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// figure is one cell of the side-by-side: a value, or why there is none.
type figure struct {
	v    float64
	ok   bool
	none string // shown when !ok
}

func value(v float64) figure { return figure{v: v, ok: true} }

// goal is issue 14's target for a figure, as Trolly's over VictoriaLogs'.
type goal struct {
	atLeast bool // the ratio must be at least x, else at most x
	x       float64
}

func (g goal) String() string {
	if g.atLeast {
		return fmt.Sprintf(">= %gx", g.x)
	}
	return fmt.Sprintf("<= %gx", g.x)
}

func (g goal) met(ratio float64) bool {
	if g.atLeast {
		return ratio >= g.x
	}
	return ratio <= g.x
}

// figureLine is a row of the side-by-side.
type figureLine struct {
	name          string
	trolly, vlogs figure
	digs          int
	goal          *goal
}

var (
	atLeastHalf   = &goal{atLeast: true, x: 0.5}
	atMost1_5     = &goal{x: 1.5}
	atMostTwice   = &goal{x: 2}
	errorFigure   = figure{none: "error"}
	missingFigure = figure{none: "n/a (endpoint missing)"}
)

// sideLines are the figures of both sides, and the latency of each question.
func sideLines(qs []question, tr, vl side) []figureLine {
	both := func(name string, digs int, g *goal, f func(s side) figure) figureLine {
		return figureLine{name: name, trolly: f(tr), vlogs: f(vl), digs: digs, goal: g}
	}
	lines := []figureLine{
		both("lines/s accepted", 0, nil, func(s side) figure { return value(float64(s.rep.lines) / s.rep.accepted.Seconds()) }),
		both("seconds until all searchable", 1, nil, func(s side) figure { return value(s.rep.searchable.Seconds()) }),
		both("server CPU seconds until then", 1, nil, func(s side) figure { return value(s.cpu.Seconds()) }),
		both("lines per server CPU-second", 0, atLeastHalf, func(s side) figure {
			if s.cpu <= 0 {
				return figure{none: "-"}
			}
			return value(float64(s.rep.lines) / s.cpu.Seconds())
		}),
		both("peak RSS MiB once searchable", 0, atMost1_5, func(s side) figure { return value(mib(s.rss)) }),
		both("peak RSS MiB after the queries", 0, nil, func(s side) figure { return value(mib(s.rssAfter)) }),
		both("search data on disk MiB", 1, nil, func(s side) figure { return value(mib(s.disk)) }),
		both("search data bytes per line", 1, atMostTwice, func(s side) figure { return value(float64(s.disk) / float64(s.rep.lines)) }),
		both("archive on disk MiB (apart)", 1, nil, func(s side) figure {
			if s.archive < 0 {
				return figure{none: "-"}
			}
			return value(mib(s.archive))
		}),
	}
	for i, q := range qs {
		lines = append(lines, both("ms: "+q.name, 1, atMost1_5, func(s side) figure {
			a := s.answers[i]
			switch {
			case a.missing:
				return missingFigure
			case a.err != nil:
				return errorFigure
			}
			return value(float64(a.latency.Microseconds()) / 1000)
		}))
	}
	return lines
}

// printSideBySide prints the figures, the ratio of Trolly's to VictoriaLogs' and the
// target, then each question's answers beside the one the generated events give.
func printSideBySide(w io.Writer, qs []question, tr, vl side) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tTrolly\tVictoriaLogs\tTrolly/VL\ttarget\tmet")
	for _, l := range sideLines(qs, tr, vl) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t", l.name, l.trolly.format(l.digs), l.vlogs.format(l.digs))
		ratio, ok := 0.0, l.trolly.ok && l.vlogs.ok && l.vlogs.v != 0
		if ok {
			ratio = l.trolly.v / l.vlogs.v
			fmt.Fprintf(tw, "%.2fx\t", ratio)
		} else {
			fmt.Fprint(tw, "-\t")
		}
		switch {
		case l.goal == nil:
			fmt.Fprint(tw, "\t\n")
		case !ok:
			fmt.Fprintf(tw, "%s\t-\n", l.goal)
		case l.goal.met(ratio):
			fmt.Fprintf(tw, "%s\tyes\n", l.goal)
		default:
			fmt.Fprintf(tw, "%s\tNO\n", l.goal)
		}
	}
	_ = tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "answer of\texpected\tTrolly\tVictoriaLogs")
	for i, q := range qs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", q.name, q.want, tr.answers[i].show(q.want), vl.answers[i].show(q.want))
	}
	_ = tw.Flush()
	for _, s := range []struct {
		name string
		side side
	}{{"Trolly", tr}, {"VictoriaLogs", vl}} {
		for i, a := range s.side.answers {
			switch {
			case a.err != nil && !a.missing:
				fmt.Fprintf(w, "%s, %s: %v\n", s.name, qs[i].name, a.err)
			case a.note != "":
				fmt.Fprintf(w, "%s, %s: %s\n", s.name, qs[i].name, a.note)
			}
		}
	}
}

func (f figure) format(digs int) string {
	if !f.ok {
		return f.none
	}
	return fmt.Sprintf("%.*f", digs, f.v)
}

// show is the answer's summary, marked when it is not the one expected.
func (a answer) show(want string) string {
	switch {
	case a.missing && a.note == "":
		return "n/a (endpoint missing)"
	case a.err != nil:
		return "error (below)"
	case a.text != want:
		return a.text + " (WRONG)"
	}
	return "same"
}
