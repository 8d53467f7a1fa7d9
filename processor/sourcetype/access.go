package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// accessLine holds the parts of one access log line; absent parts are nil. The formats are
// the NCSA common log format, combined (Apache's "combined", also nginx's default) and
// Apache's vhost_combined, which puts "vhost[:port]" first:
//
//	[vhost[:port]] host ident user [time] "request" status bytes ["referrer" "user agent"]
//
// Quoted fields may hold escapes (Apache writes \" and \\, nginx \xHH). A combined line may
// go on with more fields after a space, as nginx formats that add "$http_x_forwarded_for"
// do. The ident (RFC 1413), which no one runs any more, is left in the message.
type accessLine struct {
	vhost, host, user, time, request, status, bytes, referrer, agent []byte
	// escaped tells which quoted fields hold a backslash, so that only those are decoded.
	escaped struct{ request, referrer, agent bool }
}

// scanAccess splits line into its parts, or reports that it has not the format. It is
// written out rather than done with a regular expression because it runs once per line;
// the test keeps the expression it replaced as an oracle.
func scanAccess(line []byte) (accessLine, bool) {
	var a accessLine
	if !a.scan(line) {
		return accessLine{}, false
	}
	return a, true
}

// scan reads line into a. A fourth field before the time makes the line vhost_combined;
// the fourth field of a common line is the time itself, which starts with '['.
func (a *accessLine) scan(line []byte) (ok bool) {
	var head [4][]byte
	n := 0
	s := line
	for n < len(head) && (n < 3 || len(s) == 0 || s[0] != '[') {
		i := fieldEnd(s)
		if i == 0 || i == len(s) || s[i] != ' ' {
			return false
		}
		head[n], s = s[:i], s[i+1:]
		n++
	}
	if len(s) == 0 || s[0] != '[' {
		return false
	}
	if n == 4 {
		a.vhost, head[0], head[1], head[2] = head[0], head[1], head[2], head[3]
	}
	a.host, a.user = head[0], head[2]
	end := bytes.IndexByte(s, ']')
	if end < 0 || !hasPrefixAt(s, end, `] "`) {
		return false
	}
	a.time = s[1:end]
	if a.request, s, a.escaped.request, ok = accessQuoted(s[end+3:]); !ok {
		return false
	}
	if a.status, s, ok = statusField(s); !ok {
		return false
	}
	if a.bytes, s, ok = bytesField(s); !ok {
		return false
	}
	if len(s) == 0 {
		return true
	}
	return a.scanCombined(s)
}

// scanCombined reads ` "referrer" "user agent"` and what a format adds after a space.
func (a *accessLine) scanCombined(s []byte) bool {
	var ok bool
	if !hasPrefixAt(s, 0, ` "`) {
		return false
	}
	if a.referrer, s, a.escaped.referrer, ok = accessQuoted(s[2:]); !ok || !hasPrefixAt(s, 0, ` "`) {
		return false
	}
	if a.agent, s, a.escaped.agent, ok = accessQuoted(s[2:]); !ok {
		return false
	}
	return len(s) == 0 || (s[0] == ' ' && bytes.IndexByte(s, '\n') < 0)
}

// fieldEnd returns the length of the run of non-space bytes that starts s; space is
// what RE2's \s matches: \t \n \f \r and ' '.
func fieldEnd(s []byte) int {
	for i, c := range s {
		if c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
			return i
		}
	}
	return len(s)
}

func hasPrefixAt(s []byte, i int, prefix string) bool {
	return i <= len(s) && bytes.HasPrefix(s[i:], []byte(prefix))
}

// accessQuoted reads the inside of a quoted field up to its closing quote, which s must
// hold, and returns it, what follows the quote and whether it holds a backslash. A backslash
// escapes any byte but a newline.
func accessQuoted(s []byte) (v, rest []byte, escaped, ok bool) {
	// Most fields have no backslash: find the quote with the library's vector search.
	if end := bytes.IndexByte(s, '"'); end >= 0 && bytes.IndexByte(s[:end], '\\') < 0 {
		return s[:end], s[end+1:], false, true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			return s[:i], s[i+1:], true, true
		case '\\':
			if i+1 == len(s) || s[i+1] == '\n' {
				return nil, nil, false, false
			}
			i++
		}
	}
	return nil, nil, false, false
}

// statusField reads " " then three digits or "-".
func statusField(s []byte) (v, rest []byte, ok bool) {
	switch {
	case len(s) >= 2 && s[0] == ' ' && s[1] == '-':
		return s[1:2], s[2:], true
	case len(s) >= 4 && s[0] == ' ' && isASCIIDigit(s[1]) && isASCIIDigit(s[2]) && isASCIIDigit(s[3]):
		return s[1:4], s[4:], true
	}
	return nil, nil, false
}

// bytesField reads " " then digits or "-", up to the end or a space.
func bytesField(s []byte) (v, rest []byte, ok bool) {
	if len(s) < 2 || s[0] != ' ' {
		return nil, nil, false
	}
	end := 2
	if s[1] != '-' {
		end = 1
		for end < len(s) && isASCIIDigit(s[end]) {
			end++
		}
		if end == 1 {
			return nil, nil, false
		}
	}
	if end < len(s) && s[end] != ' ' {
		return nil, nil, false
	}
	return s[1:end], s[end:], true
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// AccessParser parses web server access logs in the common, combined and vhost_combined
// formats. Name is the source type it serves, for error messages.
type AccessParser struct {
	Name string
}

// Parse sets source.address (and source.ip when it is one), user.name, the http.* request
// and response fields, url.original, user_agent.original, the virtual host (url.domain and
// destination.*) and the event.* categorisation; a "-" leaves its field out. The time is
// read with its zone.
func (p AccessParser) Parse(line []byte, d *ecs.Document, _ *Env) error {
	a, ok := scanAccess(line)
	if !ok {
		return noMatch(nil, "%s: the line is not in the common or combined log format", p.Name)
	}
	return a.set(d, p.Name)
}

// set writes the fields of a on d.
func (a *accessLine) set(d *ecs.Document, name string) error {
	if a.vhost != nil {
		setHost(d, a.vhost)
	}
	setAddress(d, a.host)
	setPresent(d, "user.name", a.user, true) // unescaped checks for a backslash itself
	setRequest(d, a.request, a.escaped.request)

	d.SetString("event.kind", "event")
	d.SetRaw("event.category", `["web"]`)
	d.SetRaw("event.type", `["access"]`)
	outcome := "unknown"
	if status, ok := atoi(a.status); ok {
		d.SetInt("http.response.status_code", status)
		outcome = "success"
		if status >= 400 {
			outcome = "failure"
		}
	}
	d.SetString("event.outcome", outcome)
	if n, ok := atoi(a.bytes); ok {
		d.SetInt("http.response.body.bytes", n)
	}
	setPresent(d, "http.request.referrer", a.referrer, a.escaped.referrer)
	setPresent(d, "user_agent.original", a.agent, a.escaped.agent)

	ns, ok := parseCLFTime(a.time)
	if !ok {
		return badTimestamp("%s: time %s is not dd/Mon/yyyy:hh:mm:ss +hhmm", name, quote(a.time))
	}
	d.SetTimestamp(ns)
	return nil
}
