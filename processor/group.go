package processor

import (
	"github.com/trolly-logs/trolly/processor/sourcetype"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// maxPartialBytes bounds a line put back together from partial pieces: Docker splits at
// 16 KiB, so this is 64 pieces; what follows starts a new record.
const maxPartialBytes = 1 << 20

// groups calls fn with the first and last index of the records of each event, in order:
// one record each, except where the stream's multiline rule joins lines, or else where the
// pieces of a line its runtime split join. Only lines join (see isLine); a JSON record is an
// event of its own.
func (t *Transformer) groups(recs []*trollyv1.RawRecord, st *Stream, fn func(first, last int, multiline bool)) {
	partial, _ := st.parser.(sourcetype.Partialer)
	switch {
	case st.multiline != nil:
		t.multilineGroups(recs, st, fn)
	case partial != nil:
		partialGroups(recs, st, partial, fn)
	default:
		for i := range recs {
			fn(i, i, false)
		}
	}
}

// multilineGroups runs the stream's rule over each run of lines.
func (t *Transformer) multilineGroups(recs []*trollyv1.RawRecord, st *Stream, fn func(first, last int, multiline bool)) {
	for i := 0; i < len(recs); {
		if !isLine(recs[i], st) {
			fn(i, i, false)
			i++
			continue
		}
		start := i
		t.lines = t.lines[:0]
		for ; i < len(recs) && isLine(recs[i], st); i++ {
			t.lines = append(t.lines, recs[i].GetData())
		}
		st.multiline.Group(t.lines, func(first, last int) { fn(start+first, start+last, last > first) })
	}
	clear(t.lines) // keep no record reachable
}

func partialGroups(recs []*trollyv1.RawRecord, st *Stream, partial sourcetype.Partialer, fn func(first, last int, multiline bool)) {
	for i := 0; i < len(recs); {
		last, size := i, len(recs[i].GetData())
		for last+1 < len(recs) && isLine(recs[last], st) && isLine(recs[last+1], st) &&
			partial.Partial(trimEOL(recs[last].GetData())) && size+len(recs[last+1].GetData()) <= maxPartialBytes {
			last++
			size += len(recs[last].GetData())
		}
		fn(i, last, false)
		i = last + 1
	}
}

// isLine reports whether a record is a line of the stream's format, to parse as one and
// which may join: text, or a Docker line (a JSON object of its own) whatever the shipper
// labelled it.
func isLine(r *trollyv1.RawRecord, st *Stream) bool {
	return r.GetFormat() != trollyv1.RecordFormat_RECORD_FORMAT_JSON || st.sourceType == sourcetype.Docker
}

// join returns the lines of recs, without their line endings, joined by '\n'. The bytes
// stay valid until the next join.
func (t *Transformer) join(recs []*trollyv1.RawRecord) []byte {
	t.joined = t.joined[:0]
	for i, r := range recs {
		if i > 0 {
			t.joined = append(t.joined, '\n')
		}
		t.joined = append(t.joined, trimEOL(r.GetData())...)
	}
	return t.joined
}
