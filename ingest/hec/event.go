package hec

import (
	"errors"

	"github.com/trolly-logs/trolly/ingest"
	"github.com/trolly-logs/trolly/internal/jsonstr"
)

// DecodeEvents decodes the body of /services/collector/event: JSON objects one after
// another. Text events are unescaped into one buffer per request; every other value aliases
// body. On error it returns the events before the first bad one with it (see Error).
func DecodeEvents(body []byte, p Params, lim Limits) (*Request, error) {
	d := newDecoder(body, p, lim)
	req := &Request{Channel: p.Channel}
	for n := 0; ; n++ {
		if d.sc.next(); d.sc.pos == len(d.sc.buf) { // the end; a NUL byte is not one
			break
		}
		if over(n+1, lim.MaxRecords) {
			return req, eventError(InvalidDataFormat, ingest.TooLarge, body, n, d.sc.pos,
				"over the limit of %d events per request", lim.MaxRecords)
		}
		rec, hint, err := d.event(n)
		if err != nil {
			return req, err
		}
		req.Records = append(req.Records, rec)
		req.Hints = append(req.Hints, hint)
	}
	if len(req.Records) == 0 {
		return req, noData()
	}
	return req, nil
}

// event is one event's members as found, each the bounds of its value in the body.
type event struct {
	start                         int
	time, host, source, sourcetyp span
	index, event, fields          span
}

// span is a value of the body: [start, end), its first byte (0 when absent), and for a
// string, whether it holds escapes (start and end then bound its content).
type span struct {
	start, end int
	kind       byte
	escaped    bool
}

func (v span) ok() bool { return v.kind != 0 }

// event decodes event n, the next object of the body.
func (d *decoder) event(n int) (ingest.Record, Hint, error) {
	var ev event
	if err := d.members(&ev); err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return ingest.Record{}, Hint{}, eventError(InvalidDataFormat, ingest.Invalid, d.body, n, se.off, "%s", se.msg)
		}
		return ingest.Record{}, Hint{}, err
	}
	return d.record(n, &ev)
}

// members scans one object, noting the members HEC defines; the others are skipped.
func (d *decoder) members(ev *event) error {
	sc := &d.sc
	ev.start = sc.pos
	if sc.next() != '{' {
		return sc.fail("an event must be a JSON object")
	}
	sc.pos++
	if sc.next() == '}' {
		sc.pos++
		return nil
	}
	for {
		if sc.next() != '"' {
			return sc.fail("expecting a string key")
		}
		ks, ke, kesc, err := sc.str()
		if err != nil {
			return err
		}
		if err := sc.expect(':'); err != nil {
			return err
		}
		v, err := d.member(ev, d.key(ks, ke, kesc))
		if err != nil {
			return err
		}
		if v != nil {
			*v = d.last
		}
		switch sc.next() {
		case ',':
			sc.pos++
		case '}':
			sc.pos++
			return nil
		default:
			return sc.fail("expecting ',' or '}' after an object member")
		}
	}
}

// member scans a member's value into d.last and returns where the event keeps it, nil for
// members HEC does not define.
func (d *decoder) member(ev *event, key []byte) (*span, error) {
	start, end, kind, err := d.sc.value(1)
	if err != nil {
		return nil, err
	}
	d.last = span{start: start, end: end, kind: kind}
	if kind == '"' {
		// Rescan the string for its content's bounds: cheap, and it keeps value() simple.
		d.last.start, d.last.end, d.last.escaped = start+1, end-1, hasBackslash(d.body[start:end])
	}
	switch string(key) {
	case "time":
		return &ev.time, nil
	case "host":
		return &ev.host, nil
	case "source":
		return &ev.source, nil
	case "sourcetype":
		return &ev.sourcetyp, nil
	case "index":
		return &ev.index, nil
	case "event":
		return &ev.event, nil
	case "fields":
		return &ev.fields, nil
	}
	return nil, nil
}

// key returns a member's name, unescaped into scratch space when it must be.
func (d *decoder) key(start, end int, escaped bool) []byte {
	if !escaped {
		return d.body[start:end]
	}
	d.scratch = jsonstr.AppendUnescaped(d.scratch[:0], d.body[start:end])
	return d.scratch
}

// at is where the value begins in the body, its opening quote for a string.
func (v span) at() int {
	if v.kind == '"' {
		return v.start - 1
	}
	return v.start
}
