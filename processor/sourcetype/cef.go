package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/timestamp"
)

// CEF is the name of the Common Event Format source type.
const CEF = "cef"

// CEFParser is the "cef" source type: ArcSight's Common Event Format,
//
//	CEF:0|Vendor|Product|Version|Event Class ID|Name|Severity|src=10.0.0.1 spt=1234 msg=text
//
// after an optional syslog header, found by "CEF:". It maps to ECS as Elastic's decode_cef
// processor does: the header to observer.vendor, observer.product, observer.version,
// event.code, message (the name) and event.severity; every extension to
// cef.extensions.<name>, where the CEF dictionary's short keys take their full names
// (src: sourceAddress), and the common ones to their ECS fields. A custom string or number
// with its label (cs1 and cs1Label) also becomes labels.<label>. The syslog header gives
// log.syslog.priority and log.syslog.hostname, and the event's time when there is no rt.
type CEFParser struct{}

// cefFields is the number of '|'-separated fields before the extension.
const cefFields = 7

// cefCustom holds custom strings (cs1 to cs6) and numbers (cn1 to cn3) until their labels
// are known.
type cefCustom [9]struct{ value, label []byte }

// Parse sets the header fields and the extensions.
func (CEFParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	start := bytes.Index(line, []byte("CEF:"))
	if start < 0 {
		return noMatch(nil, "cef: the line has no CEF: header")
	}
	h, rest, err := splitCEF(line[start+len("CEF:"):])
	if err != nil {
		return err
	}
	fallback, hasFallback := cefSyslogHeader(d, line[:start], env)
	setCEFHeader(d, &h)
	var custom cefCustom
	dynamic := false
	var tsErr error
	for i := 0; i < len(rest); {
		key, raw, next := cefNext(rest, i)
		if len(key) == 0 {
			break // trailing spaces
		}
		i = next
		spec, known := cefKey(key)
		if !known {
			dynamic = true
			continue
		}
		v := cefUnescape(d, raw)
		d.SetBytes(spec.ext, v)
		if spec.slot > 0 {
			dynamic = custom.set(spec, v) || dynamic
			continue
		}
		if err := setCEFECS(d, spec, v, env); err != nil {
			tsErr = err
		}
	}
	if dynamic {
		if err := mergeCEFDynamic(d, rest, &custom); err != nil {
			return err
		}
	}
	if _, ok := d.Timestamp(); !ok && hasFallback {
		d.SetTimestamp(fallback)
	}
	return tsErr
}

// splitCEF splits what follows "CEF:" into the header's fields and the extension.
func splitCEF(rest []byte) (h [cefFields][]byte, ext []byte, err error) {
	for i := range h {
		j := cefIndexUnescaped(rest, '|')
		if j < 0 {
			return h, nil, noMatch(nil, "cef: the header has %d of its %d fields", i, cefFields)
		}
		h[i], rest = rest[:j], rest[j+1:]
	}
	if _, ok := atoi(bytes.TrimSpace(h[0])); !ok {
		return h, nil, noMatch(nil, "cef: version %s is not a number", quote(h[0]))
	}
	return h, rest, cefCheckExtension(rest)
}

// setCEFHeader sets the fields of the header; empty ones are left out.
func setCEFHeader(d *ecs.Document, h *[cefFields][]byte) {
	d.SetBytes("cef.version", bytes.TrimSpace(h[0]))
	for i, paths := range [...][2]string{
		1: {"cef.device.vendor", "observer.vendor"},
		2: {"cef.device.product", "observer.product"},
		3: {"cef.device.version", "observer.version"},
		4: {"cef.device.event_class_id", "event.code"},
		5: {"cef.name", ""},
		6: {"cef.severity", ""},
	} {
		if i == 0 || len(h[i]) == 0 {
			continue
		}
		v := cefHeaderUnescape(d, h[i])
		d.SetBytes(paths[0], v)
		if paths[1] != "" {
			d.SetBytes(paths[1], v)
		}
	}
	if len(h[5]) > 0 {
		d.SetMessage(cefHeaderUnescape(d, h[5]))
	}
	if sev, ok := cefSeverity(bytes.TrimSpace(h[6])); ok {
		d.SetInt("event.severity", sev)
	}
}

// cefSeverity reads the severity: 0 to 10, or one of the names the specification gives,
// taken as the lowest number of their band (as Elastic does).
func cefSeverity(v []byte) (int64, bool) {
	if n, ok := atoi(v); ok {
		return n, n <= 10
	}
	for i, name := range [...]string{"low", "medium", "high", "very-high"} {
		if bytes.EqualFold(v, []byte(name)) {
			return [...]int64{0, 4, 7, 9}[i], true
		}
	}
	return 0, false
}

// cefSyslogHeader reads a syslog header before "CEF:": the priority, then an RFC 3164 or
// RFC 5424 time and the host name. Anything else before "CEF:" is ignored, as Elastic does.
func cefSyslogHeader(d *ecs.Document, p []byte, env *Env) (ts int64, ok bool) {
	if len(p) > 2 && p[0] == '<' {
		if end := bytes.IndexByte(p[:min(len(p), 5)], '>'); end > 1 {
			if pri, ok := atoi(p[1:end]); ok && pri < 192 {
				d.SetInt("log.syslog.priority", pri)
				p = p[end+1:]
			}
		}
	}
	p = bytes.TrimPrefix(p, []byte("1 ")) // RFC 5424's version
	ts, n, ok := timestamp.ParsePrefix(p, env.Loc(), env.Received)
	if !ok {
		return 0, false
	}
	host, _, _ := bytes.Cut(bytes.TrimLeft(p[n:], " "), []byte{' '})
	if len(host) > 0 && string(host) != "-" {
		d.SetBytes("log.syslog.hostname", host)
	}
	return ts, true
}

// set records a custom value or label; it reports whether the pair is complete.
func (c *cefCustom) set(spec cefSpec, v []byte) bool {
	slot := &c[spec.slot-1]
	if spec.kind == cefLabel {
		slot.label = v
	} else {
		slot.value = v
	}
	return slot.value != nil && len(slot.label) > 0
}

// cefTime reads a CEF time: epoch milliseconds, or "MMM dd yyyy HH:mm:ss" and its variants.
func cefTime(v []byte, env *Env) (int64, bool) {
	return timestamp.Parse(v, env.Loc(), env.Received)
}
