package hec

import (
	"bytes"

	"github.com/trolly-logs/trolly/ingest"
	"github.com/trolly-logs/trolly/internal/jsonstr"
)

// decoder holds one request's state: the scanner, the buffer text events are unescaped
// into, and the strings already made, so that values repeated across events (a host, a
// source, a label) are allocated once per request.
type decoder struct {
	body     []byte
	sc       scanner
	p        Params
	lim      Limits
	last     span
	arena    []byte
	scratch  []byte
	strs     map[string]string
	names    map[string]string // field name -> labels.<name>
	defaults map[string]string // the Fields of an event that sets none itself; shared
	lastTime []byte            // the last time literal read, and its text
	lastTS   string
}

func newDecoder(body []byte, p Params, lim Limits) *decoder {
	d := &decoder{
		body:  body,
		sc:    scanner{buf: body},
		p:     p,
		lim:   lim,
		strs:  make(map[string]string),
		names: make(map[string]string),
	}
	d.defaults = d.defaultFields()
	return d
}

// defaultFields are the fields the request's parameters give every record, nil for none.
func (d *decoder) defaultFields() map[string]string {
	if d.p.Host == "" && d.p.Source == "" {
		return nil
	}
	f := make(map[string]string, 2)
	if d.p.Host != "" {
		f["host.name"] = d.p.Host
	}
	if d.p.Source != "" {
		f[sourcePath(d.p.Source)] = d.p.Source
	}
	return f
}

// record builds the record of event n from its members.
func (d *decoder) record(n int, ev *event) (ingest.Record, Hint, error) {
	rec, err := d.data(n, ev)
	if err != nil {
		return rec, Hint{}, err
	}
	hint := Hint{Index: d.p.Index, Sourcetype: d.p.Sourcetype}
	if err := d.metaString(n, ev.index, "index", &hint.Index); err != nil {
		return rec, hint, err
	}
	if err := d.metaString(n, ev.sourcetyp, "sourcetype", &hint.Sourcetype); err != nil {
		return rec, hint, err
	}
	if !ev.time.ok() && !ev.host.ok() && !ev.source.ok() && !ev.fields.ok() {
		rec.Fields = d.defaults
		return rec, hint, nil
	}
	rec.Fields, err = d.fields(n, ev)
	return rec, hint, err
}

// data is the record's Data: the event's text or object.
func (d *decoder) data(n int, ev *event) (ingest.Record, error) {
	v := ev.event
	var rec ingest.Record
	switch v.kind {
	case 0:
		return rec, eventError(EventRequired, ingest.Invalid, d.body, n, ev.start, `the event has no "event" member`)
	case 'n':
		return rec, eventError(EventBlank, ingest.Invalid, d.body, n, v.at(), `"event" is null`)
	case '"':
		rec.Data = d.text(v)
	case '{':
		rec.Data, rec.JSON = d.body[v.start:v.end:v.end], true
		if isEmptyObject(rec.Data) {
			return rec, eventError(EventBlank, ingest.Invalid, d.body, n, v.at(), `"event" is an empty object`)
		}
	default: // a number, a boolean or an array: its JSON text is the line
		rec.Data = d.body[v.start:v.end:v.end]
	}
	if len(bytes.TrimSpace(rec.Data)) == 0 {
		return rec, eventError(EventBlank, ingest.Invalid, d.body, n, v.at(), `"event" is blank`)
	}
	if over(len(rec.Data), d.lim.MaxLineBytes) {
		return rec, eventError(InvalidDataFormat, ingest.TooLarge, d.body, n, v.at(),
			"the event is %d bytes, over the limit of %d bytes", len(rec.Data), d.lim.MaxLineBytes)
	}
	return rec, nil
}

// text returns a string's content: a slice of the body, or of the arena when it had escapes.
func (d *decoder) text(v span) []byte {
	if !v.escaped {
		return d.body[v.start:v.end:v.end]
	}
	from := len(d.arena)
	d.arena = jsonstr.AppendUnescaped(d.arena, d.body[v.start:v.end])
	return d.arena[from:len(d.arena):len(d.arena)]
}

// str returns a string's content as a Go string, made once per distinct value per request.
func (d *decoder) str(v span) string {
	b := d.body[v.start:v.end]
	if v.escaped {
		d.scratch = jsonstr.AppendUnescaped(d.scratch[:0], b)
		b = d.scratch
	}
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	d.strs[s] = s
	return s
}

// metaString sets *dst to a string member when it is present and not empty.
func (d *decoder) metaString(n int, v span, name string, dst *string) error {
	switch v.kind {
	case 0, 'n':
		return nil
	case '"':
		if s := d.str(v); s != "" {
			*dst = s
		}
		return nil
	}
	return eventError(InvalidDataFormat, ingest.Invalid, d.body, n, v.at(), "%q must be a string", name)
}

func isEmptyObject(b []byte) bool {
	return len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}

// sourcePath is the field of a Splunk source: a file path, or the name of another origin.
func sourcePath(source string) string {
	abs := len(source) > 0 && source[0] == '/' ||
		len(source) > 2 && source[1] == ':' && (source[2] == '\\' || source[2] == '/') ||
		len(source) > 1 && source[0] == '\\' && source[1] == '\\'
	if abs {
		return "log.file.path"
	}
	return "event.provider"
}
