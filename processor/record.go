package processor

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/sourcetype"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// Tags of records that were kept although something in them could not be read.
const (
	TagParseFailure     = "_parse_failure"
	TagTimestampFailure = "_timestamp_failure"
)

// record builds the document of one record into t.scratch and returns its time.
func (t *Transformer) record(b *batch, id string, rec *trollyv1.RawRecord, st *Stats) int64 {
	d := &t.doc
	d.Reset()
	t.failures = t.failures[:0]
	t.env = sourcetype.Env{Received: b.received}
	t.setWireFields(rec.GetFields())
	if rec.GetFormat() == trollyv1.RecordFormat_RECORD_FORMAT_JSON {
		t.jsonRecord(b, rec.GetData())
	} else {
		line := trimEOL(rec.GetData())
		d.SetMessage(line)
		t.parse(b.parser, line)
	}

	msg, _ := d.Message()
	d.Reserve()
	ts, ok := d.Timestamp()
	if ok {
		d.SetTime("@timestamp", time.Unix(0, ts))
	} else {
		ts = b.received
		d.SetRaw("@timestamp", b.receivedJSON)
	}
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
	t.tagFailures(st)
	t.scratch = d.AppendJSON(t.scratch[:0])
	return ts
}

// jsonRecord keeps the fields of a JSON record, then parses its message by the stream's
// source type. Without a string message, the record's text is the message.
func (t *Transformer) jsonRecord(b *batch, data []byte) {
	ok := t.parse(sourcetype.JSONParser{}, data)
	msg, isString := t.doc.Message()
	switch {
	case !ok || !b.parsesMessage:
	case isString:
		t.parse(b.parser, trimEOL(msg))
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

func (t *Transformer) tagFailures(st *Stats) {
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
		st.ParseFailures++
	}
	if timestamp {
		t.doc.AddTag(TagTimestampFailure)
		st.TimestampFailures++
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
		t.doc.SetString(ecs.NormalizePath(k), fields[k])
	}
}

// trimEOL drops the line ending a shipper left (LF, CRLF, or a stray CR).
func trimEOL(b []byte) []byte {
	return bytes.TrimRight(b, "\r\n")
}

// recordError is a failure the processor itself finds.
type recordError struct {
	kind error
	msg  string
}

func (e *recordError) Error() string { return e.msg }
func (e *recordError) Unwrap() error { return e.kind }
