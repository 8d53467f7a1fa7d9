package hec

import (
	"bytes"
	"strconv"
	"time"

	"github.com/trolly-logs/trolly/ingest"
)

// fields builds the Fields of an event that sets its own time, host, source or fields.
func (d *decoder) fields(n int, ev *event) (map[string]string, error) {
	f := make(map[string]string, len(d.defaults)+3)
	for k, v := range d.defaults {
		f[k] = v
	}
	if ev.time.ok() && ev.time.kind != 'n' {
		ts, err := d.timestamp(n, ev.time)
		if err != nil {
			return nil, err
		}
		f["@timestamp"] = ts
	}
	var host, source string
	if err := d.metaString(n, ev.host, "host", &host); err != nil {
		return nil, err
	}
	if host != "" {
		f["host.name"] = host
	}
	if err := d.metaString(n, ev.source, "source", &source); err != nil {
		return nil, err
	}
	if source != "" {
		delete(f, sourcePath(d.p.Source)) // the event's source replaces the request's
		f[sourcePath(source)] = source
	}
	if ev.fields.ok() && ev.fields.kind != 'n' {
		if err := d.labels(n, ev.fields, f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// timestamp reads "time": Unix seconds, with or without a fraction, as a number or a string.
func (d *decoder) timestamp(n int, v span) (string, error) {
	lit := d.body[v.start:v.end]
	if v.kind == '"' {
		if v.escaped {
			return "", eventError(InvalidDataFormat, ingest.Invalid, d.body, n, v.at(), `"time" %s is not a number of seconds`, lit)
		}
	} else if v.kind != '-' && (v.kind < '0' || v.kind > '9') {
		return "", eventError(InvalidDataFormat, ingest.Invalid, d.body, n, v.at(), `"time" must be a number of seconds`)
	}
	// Events of a batch often share their time: keep the last one's text.
	if d.lastTime != nil && bytes.Equal(lit, d.lastTime) {
		return d.lastTS, nil
	}
	ns, ok := unixNanos(lit)
	if !ok {
		return "", eventError(InvalidDataFormat, ingest.Invalid, d.body, n, v.at(),
			`"time" %s is not a Unix time in seconds from 1970 to 2262`, strconv.Quote(string(lit)))
	}
	d.lastTime, d.lastTS = lit, time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
	return d.lastTS, nil
}

// labels adds the members of "fields" to f as labels.<name>. Values are strings, numbers,
// booleans (their text) or arrays of them (their JSON text); null is skipped. Splunk refuses
// nested objects and unnamed fields: so does Trolly.
func (d *decoder) labels(n int, v span, f map[string]string) error {
	if v.kind != '{' {
		return eventError(IndexedFieldsError, ingest.Invalid, d.body, n, v.at(), `"fields" must be an object`)
	}
	sc := scanner{buf: d.body[:v.end], pos: v.start + 1}
	for sc.next() != '}' {
		ks, ke, kesc, _ := sc.str() // validated by the first scan
		_ = sc.expect(':')
		start, end, kind, _ := sc.value(1)
		if sc.next() == ',' {
			sc.pos++
		}
		if ks == ke {
			return eventError(IndexedFieldsError, ingest.Invalid, d.body, n, ks-1, "a field has no name")
		}
		switch kind {
		case 'n':
			continue
		case '{':
			return eventError(IndexedFieldsError, ingest.Invalid, d.body, n, start, "field %s is an object: fields must be flat", d.body[ks-1:ke+1])
		case '[':
			if hasContainer(d.body[start+1 : end-1]) {
				return eventError(IndexedFieldsError, ingest.Invalid, d.body, n, start, "field %s holds an object or array: fields must be flat", d.body[ks-1:ke+1])
			}
		}
		val := span{start: start, end: end, kind: kind}
		if kind == '"' {
			val.start, val.end, val.escaped = start+1, end-1, hasBackslash(d.body[start:end])
		}
		f[d.label(span{start: ks, end: ke, kind: '"', escaped: kesc})] = d.str(val)
	}
	return nil
}

// label returns "labels.<name>" for a field's name, made once per name per request.
func (d *decoder) label(k span) string {
	b := d.key(k.start, k.end, k.escaped)
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	raw := string(b)
	out := make([]byte, 0, len("labels.")+len(b))
	out = append(out, "labels."...)
	for _, c := range b {
		if c == '.' || c <= ' ' || c == 0x7f {
			c = '_'
		}
		out = append(out, c)
	}
	s := string(out)
	d.names[raw] = s
	return s
}

// hasContainer reports whether the content of a validated array holds an object or array
// outside its strings.
func hasContainer(b []byte) bool {
	in := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '{' || c == '['):
			return true
		}
	}
	return false
}

func hasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}
