package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ipaddr"
	"github.com/trolly-logs/trolly/processor/timestamp"
)

// ApacheErrorParser is the "apache_error" source type, Apache httpd's error log in the
// format of 2.2 and the default of 2.4:
//
//	[Sun Dec 04 04:47:44 2005] [notice] message
//	[Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] message
//	[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00124: message
type ApacheErrorParser struct{}

// Parse sets log.level, apache.error.module, process.pid, process.thread.id, source.*,
// error.code (Apache's AHnnnnn), http.request.referrer (", referer: ..." at the end) and
// the event.* categorisation, and makes the text after the bracketed fields the message.
// The time has no zone: it is in the stream's.
func (ApacheErrorParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	e, ok := scanApacheError(line)
	if !ok {
		return noMatch(nil, "apache_error: the line does not start with [time] [level] or [time] [module:level]")
	}
	d.SetBytes("log.level", e.level)
	if len(e.module) > 0 {
		d.SetBytes("apache.error.module", e.module)
	}
	if e.pid != nil {
		setNumber(d, "process.pid", e.pid)
		setNumber(d, "process.thread.id", e.tid)
	}
	if e.client != nil {
		setClient(d, e.client, e.pid != nil)
	}
	d.SetMessage(e.message)
	if code := apacheCode(e.message); code != nil {
		d.SetBytes("error.code", code)
	}
	if i := bytes.LastIndex(e.message, []byte(", referer: ")); i >= 0 {
		if ref := e.message[i+len(", referer: "):]; len(ref) > 0 && fieldEnd(ref) == len(ref) {
			d.SetBytes("http.request.referrer", ref)
		}
	}
	d.SetString("event.kind", "event")
	d.SetRaw("event.category", `["web"]`)
	if isErrorLevel(e.level) {
		d.SetRaw("event.type", `["error"]`)
	} else {
		d.SetRaw("event.type", `["info"]`)
	}

	ns, ok := timestamp.Apache.Parse(e.time, env.Loc(), env.Received)
	if !ok {
		return badTimestamp("apache_error: time %s is not Mon Jan 02 15:04:05[.000000] 2006", quote(e.time))
	}
	d.SetTimestamp(ns)
	return nil
}

// apacheError holds the parts of an error log line; absent ones are nil.
type apacheError struct {
	time, module, level, pid, tid, client, message []byte
}

func scanApacheError(line []byte) (e apacheError, ok bool) {
	var s []byte
	if e.time, s, ok = bracketed(line); !ok || len(s) == 0 || s[0] != ' ' {
		return e, false
	}
	var level []byte
	if level, s, ok = bracketed(s[1:]); !ok {
		return e, false
	}
	module, lvl, hasModule := bytes.Cut(level, []byte{':'})
	if !hasModule {
		module, lvl = nil, level
	}
	if !isApacheLevel(lvl) {
		return e, false
	}
	e.module, e.level = module, lvl
	if v, rest, ok := bracketedAfterSpace(s, "pid "); ok {
		if pid, tid, hasTID := bytes.Cut(v, []byte(":tid ")); isDigits(pid) && (!hasTID || isDigits(tid)) {
			e.pid, e.tid, s = pid, tid, rest
		}
	}
	if v, rest, ok := bracketedAfterSpace(s, "client "); ok {
		e.client, s = v, rest
	}
	if len(s) > 0 && s[0] != ' ' {
		return e, false
	}
	if len(s) > 0 {
		s = s[1:]
	}
	e.message = s
	return e, true
}

// bracketed reads "[v]" at the start of s.
func bracketed(s []byte) (v, rest []byte, ok bool) {
	if len(s) == 0 || s[0] != '[' {
		return nil, s, false
	}
	end := bytes.IndexByte(s, ']')
	if end < 0 {
		return nil, s, false
	}
	return s[1:end], s[end+1:], true
}

// bracketedAfterSpace reads " [<name>v]" at the start of s.
func bracketedAfterSpace(s []byte, name string) (v, rest []byte, ok bool) {
	if !hasPrefixAt(s, 0, " ["+name) {
		return nil, s, false
	}
	if v, rest, ok = bracketed(s[1:]); !ok {
		return nil, s, false
	}
	return v[len(name):], rest, true
}

func isApacheLevel(l []byte) bool {
	switch string(l) {
	case "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug":
		return true
	}
	// trace1 to trace8
	return len(l) == 6 && string(l[:5]) == "trace" && l[5] >= '1' && l[5] <= '8'
}

// isErrorLevel tells the levels Elastic's apache module types as errors.
func isErrorLevel(l []byte) bool {
	switch string(l) {
	case "emerg", "alert", "crit", "error", "warn":
		return true
	}
	return false
}

func isDigits(b []byte) bool {
	_, ok := atoi(b)
	return ok
}

func setNumber(d *ecs.Document, path string, v []byte) {
	if n, ok := atoi(v); ok {
		d.SetInt(path, n)
	}
}

// setClient sets source.* from Apache's client: "address:port" in 2.4, whose IPv6
// addresses are not bracketed, and the address alone in 2.2.
func setClient(d *ecs.Document, v []byte, withPort bool) {
	addr, port, hasPort := splitHostPort(v)
	if i := bytes.LastIndexByte(v, ':'); !hasPort && withPort && i > 0 {
		if p, ok := portNumber(v[i+1:]); ok && ipaddr.Valid(v[:i]) {
			addr, port, hasPort = v[:i], p, true
		}
	}
	setAddress(d, addr)
	if hasPort {
		d.SetInt("source.port", port)
	}
}

// apacheCode finds the AHnnnnn code of an Apache 2.4 message: first, or after the system
// error ("(111)Connection refused: AH00957: ...").
func apacheCode(msg []byte) []byte {
	for i := 0; ; {
		j := bytes.Index(msg[i:], []byte("AH"))
		if j < 0 {
			return nil
		}
		i += j
		if (i == 0 || msg[i-1] == ' ') && i+8 <= len(msg) && msg[i+7] == ':' && isDigits(msg[i+2:i+7]) {
			return msg[i : i+7]
		}
		i += 2
	}
}
