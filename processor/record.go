package processor

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/grok"
	"github.com/trolly-logs/trolly/processor/pipeline"
	"github.com/trolly-logs/trolly/processor/sourcetype"
	"github.com/trolly-logs/trolly/processor/timestamp"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// Tags of records that were kept although something in them could not be read.
const (
	TagParseFailure     = "_parse_failure"
	TagTimestampFailure = "_timestamp_failure"
)

// The log.flags of events joined from several lines by a multiline rule, and the tag of
// events whose time was replaced.
const (
	TagMultiline        = "multiline"
	TagTimestampClamped = "_timestamp_clamped"
)

// record makes the event of one record (or of records joined into data) and adds it, with
// any duplicates, to t.out.
func (t *Transformer) record(b *batch, index int, id string, rec *trollyv1.RawRecord, data []byte, multiline bool) {
	d := &t.doc
	d.Reset()
	t.failures = t.failures[:0]
	t.badWireTime = ""
	t.env = sourcetype.Env{Location: b.loc, Received: b.received}
	t.setWireFields(rec.GetFields())
	if !isLine(rec, b.Stream) {
		t.jsonRecord(b, data)
	} else {
		line := trimEOL(data)
		d.SetMessage(line)
		if t.parse(b.parser, line) {
			t.patterns(b)
		}
	}
	if _, ok := d.Timestamp(); !ok && t.badWireTime != "" { // else the line's own time stands
		t.failures = append(t.failures, &recordError{sourcetype.ErrTimestamp,
			fmt.Sprintf("the transport's @timestamp %q is not an RFC 3339 time", t.badWireTime)})
	}
	ts := t.time(b)
	msg, _ := d.Message()
	d.Reserve()
	d.SetTime("@timestamp", time.Unix(0, ts))
	d.SetBytes("message", msg)
	d.SetString("event.id", id)
	d.SetRaw("event.ingested", b.receivedJSON)
	dataset := b.GetSourceType()
	if t.env.Dataset != "" {
		dataset = t.env.Dataset
	}
	d.SetString("event.dataset", dataset)
	d.SetString("organization.id", b.GetTenantId())
	d.SetString("data_stream.type", "logs")
	d.SetString("data_stream.dataset", dataset)
	d.SetString("data_stream.namespace", b.GetStream())
	d.SetString("ecs.version", ECSVersion)
	if multiline {
		d.SetRaw("log.flags", `["`+TagMultiline+`"]`)
	}
	t.tagFailures()
	stream := b.GetStream()
	if b.pipeline != nil {
		t.cur, t.curTS = b, ts
		res := b.pipeline.Run(d, t.copyFn)
		t.cur = nil
		if res.Drop {
			t.stats.Dropped++
			return
		}
		if res.Stream != "" {
			stream = res.Stream
		}
	}
	t.emit(&t.slab[index], b, id, stream, ts)
}

// emit encodes the document as ev and adds it to the batch.
func (t *Transformer) emit(ev *trollyv1.Event, b *batch, id, stream string, ts int64) {
	ev.Id = id
	ev.TimestampUnixNano = ts
	ev.Source = t.encode()
	if stream != b.GetStream() {
		ev.Stream = stream
	}
	t.out.Events = append(t.out.Events, ev)
	t.stats.Events++
}

// emitCopy adds the copy of the current event a duplicate step made of the document as it
// is now. It is t.copyFn, made once, so that running a pipeline allocates no closure.
func (t *Transformer) emitCopy(c pipeline.Copy) {
	stream := c.Stream
	if stream == "" {
		stream = t.cur.GetStream()
	}
	t.emit(&trollyv1.Event{}, t.cur, c.EventID, stream, t.curTS)
}

// time returns the event's time: the one parsed, within the stream's bounds of the
// receipt, or the receipt.
func (t *Transformer) time(b *batch) int64 {
	ts, ok := t.doc.Timestamp()
	if !ok {
		return b.received
	}
	clamped, ok := timestamp.Clamp(ts, b.received, b.maxPast, b.maxFuture)
	if !ok {
		t.stats.Clamped++
		t.doc.AddTag(TagTimestampClamped)
		t.doc.AddError(fmt.Sprintf("the event's time %s is too far from its receipt; the receipt time replaces it",
			time.Unix(0, ts).UTC().Format(time.RFC3339Nano)))
	}
	return clamped
}

// patterns runs the stream's patterns on the message the source type left.
func (t *Transformer) patterns(b *batch) {
	if b.patterns == nil {
		return
	}
	msg, _ := t.doc.Message()
	mark := t.doc.Mark()
	i, err := b.patterns.Match(msg, &t.doc, b.loc, b.received)
	switch {
	case i < 0:
		t.doc.Rollback(mark)
		t.failures = append(t.failures, &recordError{sourcetype.ErrNoMatch, "patterns: no pattern matches the message"})
	case err != nil:
		t.patternFailures(err)
	}
}

// patternFailures records the captures of a matched pattern that could not be converted:
// a bad @timestamp is a timestamp failure, any other field a parse failure.
func (t *Transformer) patternFailures(err error) {
	errs := []error{err}
	if _, one := err.(*grok.ConversionError); !one {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			errs = joined.Unwrap()
		}
	}
	for _, e := range errs {
		kind := sourcetype.ErrNoMatch
		if errors.Is(e, grok.ErrTimestamp) {
			kind = sourcetype.ErrTimestamp
		}
		t.failures = append(t.failures, &recordError{kind, "patterns: " + e.Error()})
	}
}

// jsonRecord keeps the fields of a JSON record, then parses its message by the stream's
// source type. Without a string message, the record's text is the message.
func (t *Transformer) jsonRecord(b *batch, data []byte) {
	ok := t.parse(sourcetype.JSONParser{}, data)
	msg, isString := t.doc.Message()
	auto := b.sourceType == sourcetype.Auto
	if auto {
		t.env.Dataset = sourcetype.JSON // unless its message picks another
	}
	switch {
	case !ok || !b.parsesMessage || auto && !isString:
		if ok && isString {
			t.patterns(b)
		}
	case isString:
		if t.parse(b.parser, trimEOL(msg)) {
			t.patterns(b)
		}
	default:
		t.failures = append(t.failures, &recordError{sourcetype.ErrNoMatch,
			b.GetSourceType() + ": the JSON record has no string message to parse"})
	}
	if !isString {
		t.doc.SetMessage(data)
	}
}

// parse runs p, keeping its fields unless the line did not match; it reports whether the
// line matched. Failures are collected in t.failures.
func (t *Transformer) parse(p sourcetype.Parser, line []byte) bool {
	mark := t.doc.Mark()
	err := p.Parse(line, &t.doc, &t.env)
	if err == nil {
		return true
	}
	t.failures = append(t.failures, err)
	if errors.Is(err, sourcetype.ErrTimestamp) && !errors.Is(err, sourcetype.ErrNoMatch) {
		return true
	}
	t.doc.Rollback(mark)
	return false
}

func (t *Transformer) tagFailures() {
	var parse, timestamp bool
	for _, err := range t.failures {
		if errors.Is(err, sourcetype.ErrTimestamp) && !errors.Is(err, sourcetype.ErrNoMatch) {
			timestamp = true
		} else {
			parse = true
		}
		t.doc.AddError(err.Error())
	}
	if parse {
		t.doc.AddTag(TagParseFailure)
		t.stats.ParseFailures++
	}
	if timestamp {
		t.doc.AddTag(TagTimestampFailure)
		t.stats.TimestampFailures++
	}
}

// setWireFields sets the fields the wire protocol carried, in key order so that paths
// which normalise to the same one resolve the same way every time.
func (t *Transformer) setWireFields(fields map[string]string) {
	if len(fields) == 0 {
		return
	}
	t.keys = slices.AppendSeq(t.keys[:0], maps.Keys(fields))
	slices.Sort(t.keys)
	for _, k := range t.keys {
		v := fields[k]
		switch k {
		case "@timestamp": // the time the protocol carried (Loki, OTLP, HEC): a line's own wins
			if ns, ok := timestamp.RFC3339.Parse([]byte(v), time.UTC, 0); ok {
				t.doc.SetTimestamp(ns)
			} else {
				t.badWireTime = v
			}
		case "tags":
			t.doc.AddTag(v)
		default:
			t.doc.SetString(ecs.NormalizePath(k), v)
		}
	}
}

// trimEOL drops the line ending a shipper left (LF, CRLF, or a stray CR).
func trimEOL(b []byte) []byte {
	// A loop, not bytes.TrimRight, which builds a set of the cut bytes on every call.
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// recordError is a failure the processor itself finds.
type recordError struct {
	kind error
	msg  string
}

func (e *recordError) Error() string { return e.msg }
func (e *recordError) Unwrap() error { return e.kind }
