package sourcetype

import (
	"bytes"
	"net/netip"
	"regexp"
	"strings"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// accessLine matches the NCSA common log format and the combined format (Apache's
// "combined", which is also nginx's default):
//
//	host ident user [time] "request" status bytes "referrer" "user agent"
//
// Quoted fields may hold escapes (Apache writes \" and \\, nginx \xHH). A combined line may
// go on with more fields after a space, as nginx formats that add "$http_x_forwarded_for"
// do. The expression is anchored and unambiguous, so Go runs it one pass.
var accessLine = regexp.MustCompile(`^(\S+) (\S+) (\S+) \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)` +
	`(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"(?: .*)?)?$`)

// Submatch numbers of accessLine.
const (
	subHost = 1 + iota
	_       // ident (RFC 1413), which no one runs any more: left in the message
	subUser
	subTime
	subRequest
	subStatus
	subBytes
	subReferrer
	subAgent
)

// AccessParser parses web server access logs in the common and combined formats. Name is
// the source type it serves, for error messages.
type AccessParser struct {
	Name string
}

// Parse sets source.address (and source.ip when it is one), user.name, the http.* request
// and response fields, url.original, user_agent.original and the event.* categorisation; a
// "-" leaves its field out. The time is read with its zone.
func (p AccessParser) Parse(line []byte, d *ecs.Document, _ *Env) error {
	m := accessLine.FindSubmatchIndex(line)
	if m == nil {
		return noMatch(nil, "%s: the line is not in the common or combined log format", p.Name)
	}
	group := func(i int) []byte {
		if m[2*i] < 0 {
			return nil
		}
		return line[m[2*i]:m[2*i+1]]
	}

	host := group(subHost)
	d.SetBytes("source.address", host)
	if isIP(host) {
		d.SetBytes("source.ip", host)
	}
	setPresent(d, "user.name", group(subUser))
	setRequest(d, group(subRequest))

	d.SetString("event.kind", "event")
	d.SetRaw("event.category", `["web"]`)
	d.SetRaw("event.type", `["access"]`)
	outcome := "unknown"
	if status, ok := atoi(group(subStatus)); ok {
		d.SetInt("http.response.status_code", status)
		outcome = "success"
		if status >= 400 {
			outcome = "failure"
		}
	}
	d.SetString("event.outcome", outcome)
	if n, ok := atoi(group(subBytes)); ok {
		d.SetInt("http.response.body.bytes", n)
	}
	setPresent(d, "http.request.referrer", group(subReferrer))
	setPresent(d, "user_agent.original", group(subAgent))

	ts := group(subTime)
	ns, ok := parseCLFTime(ts)
	if !ok {
		return badTimestamp("%s: time %s is not dd/Mon/yyyy:hh:mm:ss +hhmm", p.Name, quote(ts))
	}
	d.SetTimestamp(ns)
	return nil
}

// setPresent sets path to the unescaped v unless v is absent, empty or "-".
func setPresent(d *ecs.Document, path string, v []byte) {
	if len(v) == 0 || (len(v) == 1 && v[0] == '-') {
		return
	}
	d.SetBytes(path, unescaped(d, v))
}

// setRequest splits "METHOD target HTTP/x.y" (the version may be missing, as in HTTP/0.9,
// and the target may hold spaces). Anything else (nginx's "-" for an empty request, TLS
// bytes sent to a plain port) is left in the message only.
func setRequest(d *ecs.Document, r []byte) {
	method, target, ok := bytes.Cut(r, []byte{' '})
	if !ok || !isToken(method) {
		return
	}
	if i := bytes.LastIndexByte(target, ' '); i >= 0 {
		v, isHTTP := bytes.CutPrefix(target[i+1:], []byte("HTTP/"))
		if !isHTTP || len(v) == 0 {
			return
		}
		d.SetBytes("http.version", unescaped(d, v))
		target = target[:i]
	}
	if len(target) == 0 {
		return
	}
	d.SetBytes("http.request.method", method)
	d.SetBytes("url.original", unescaped(d, target))
}

// isToken reports whether b is an HTTP method: letters, digits and a few marks (RFC 9110
// tchar), which also rules out escaped binary.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		isAlnum := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !isAlnum && strings.IndexByte("!#$%&'*+-.^_`|~", c) < 0 {
			return false
		}
	}
	return true
}

// isIP reports whether b is an IPv4 or IPv6 address without a zone (Elasticsearch's ip
// type takes none). IPv4, the common case, is checked by hand: netip would need a string,
// which allocates.
func isIP(b []byte) bool {
	if bytes.IndexByte(b, ':') >= 0 {
		ip, err := netip.ParseAddr(string(b))
		return err == nil && ip.Zone() == ""
	}
	parts := 0
	for len(b) > 0 {
		octet, rest, _ := bytes.Cut(b, []byte{'.'})
		n, ok := atoi(octet)
		if !ok || n > 255 || len(octet) > 3 || (len(octet) > 1 && octet[0] == '0') {
			return false
		}
		parts++
		if len(rest) == 0 && len(b) > len(octet) { // trailing dot
			return false
		}
		b = rest
	}
	return parts == 4
}

// atoi reads a non-negative decimal number; "-", empty or overflowing is not one.
func atoi(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
