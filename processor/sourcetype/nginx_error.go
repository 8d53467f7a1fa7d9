package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/timestamp"
)

// NginxErrorParser is the "nginx_error" source type, nginx's error log:
//
//	2024/05/01 10:00:00 [error] 1234#5678: *90 message, client: 1.2.3.4, server: x, request: "GET / HTTP/1.1", host: "x"
//
// The connection ("*90 ") is there for errors of a connection, and the list after the
// message for errors of a request.
type NginxErrorParser struct{}

// nginxTimeLen is the length of "2006/01/02 15:04:05".
const nginxTimeLen = 19

// Parse sets log.level, process.pid, process.thread.id, nginx.error.connection_id and the
// event.* categorisation, makes the text after them the message, and reads the request's
// client, request line, Host and referrer from the list nginx appends. The time has no
// zone: it is in the stream's.
func (NginxErrorParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	if !isNginxTime(line) || !hasPrefixAt(line, nginxTimeLen, " [") {
		return noMatch(nil, "nginx_error: the line does not start with yyyy/mm/dd hh:mm:ss [level]")
	}
	s := line[nginxTimeLen+2:]
	level, s, ok := bytes.Cut(s, []byte("] "))
	if !ok || !isLower(level) {
		return noMatch(nil, "nginx_error: no [level] after the time")
	}
	pid, s, ok1 := digitsUntil(s, '#')
	tid, s, ok2 := digitsUntil(s, ':')
	if !ok1 || !ok2 || (len(s) > 0 && s[0] != ' ') {
		return noMatch(nil, "nginx_error: no pid#tid: after the level")
	}
	s = bytes.TrimPrefix(s, []byte{' '})
	d.SetBytes("log.level", level)
	d.SetInt("process.pid", pid)
	d.SetInt("process.thread.id", tid)
	if len(s) > 0 && s[0] == '*' {
		if conn, rest, ok := digitsUntil(s[1:], ' '); ok {
			d.SetInt("nginx.error.connection_id", conn)
			s = rest
		}
	}
	d.SetMessage(s)
	setNginxContext(d, s)
	d.SetString("event.kind", "event")
	d.SetRaw("event.category", `["web"]`)
	d.SetRaw("event.type", `["error"]`)

	ns, ok := timestamp.Nginx.Parse(line[:nginxTimeLen], env.Loc(), env.Received)
	if !ok {
		return badTimestamp("nginx_error: time %s is not a valid yyyy/mm/dd hh:mm:ss", quote(line[:nginxTimeLen]))
	}
	d.SetTimestamp(ns)
	return nil
}

// isNginxTime reports whether line starts with the shape of "2006/01/02 15:04:05"; whether
// it is a real time is for the time parser.
func isNginxTime(line []byte) bool {
	const shape = "dddd/dd/dd dd:dd:dd"
	if len(line) < len(shape) {
		return false
	}
	for i := range len(shape) {
		if c := line[i]; shape[i] == 'd' && !isASCIIDigit(c) || shape[i] != 'd' && c != shape[i] {
			return false
		}
	}
	return true
}

func isLower(b []byte) bool {
	for _, c := range b {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return len(b) > 0
}

// digitsUntil reads a number ended by sep and returns what follows sep.
func digitsUntil(s []byte, sep byte) (n int64, rest []byte, ok bool) {
	i := 0
	for i < len(s) && isASCIIDigit(s[i]) {
		i++
	}
	if i == len(s) || s[i] != sep {
		return 0, s, false
	}
	n, ok = atoi(s[:i])
	return n, s[i+1:], ok
}

// nginxContext is the list nginx appends to the errors of a request (in this order, each
// when known): client, server, request, subrequest, upstream, host, referrer.
type nginxContext struct {
	client, request, host, referrer []byte
}

// setNginxContext sets the fields of the list that ends msg. The list starts at
// ", client: ", which the message could also hold: the first start from which the whole
// rest reads as a list wins. Only a few are tried, so that hostile lines stay linear.
func setNginxContext(d *ecs.Document, msg []byte) {
	const start, tries = ", client: ", 4
	for i, try := 0, 0; try < tries; try++ {
		j := bytes.Index(msg[i:], []byte(start))
		if j < 0 {
			return
		}
		i += j
		if c, ok := readNginxContext(msg[i+2:]); ok {
			setAddress(d, c.client)
			setRequest(d, c.request, false)
			if c.host != nil {
				setHost(d, c.host)
			}
			setPresent(d, "http.request.referrer", c.referrer, false)
			return
		}
		i += len(start)
	}
}

// readNginxContext reads "client: a, server: b, request: "...", ..." to its end. Quoted
// values are written as they came, unescaped, so a quote ends one only where a known key
// or the end follows.
func readNginxContext(s []byte) (c nginxContext, ok bool) {
	for first := true; len(s) > 0; first = false {
		if !first {
			if s, ok = bytes.CutPrefix(s, []byte(", ")); !ok {
				return c, false
			}
		}
		key, rest, found := bytes.Cut(s, []byte(": "))
		if !found || !isNginxKey(key) || (first && string(key) != "client") {
			return c, false
		}
		var v []byte
		if v, s, ok = nginxValue(rest); !ok {
			return c, false
		}
		switch string(key) {
		case "client":
			c.client = v
		case "request":
			c.request = v
		case "host":
			c.host = v
		case "referrer":
			c.referrer = v
		}
	}
	return c, true
}

// nginxValue reads a bare value (an address or a name, without spaces) up to ", " or the
// end, or a quoted one.
func nginxValue(s []byte) (v, rest []byte, ok bool) {
	if len(s) == 0 || s[0] != '"' {
		i := bytes.Index(s, []byte(", "))
		if i < 0 {
			i = len(s)
		}
		if bytes.IndexByte(s[:i], ' ') >= 0 {
			return nil, nil, false
		}
		return s[:i], s[i:], true
	}
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		if i+1 == len(s) || startsNginxItem(s[i+1:]) {
			return s[1:i], s[i+1:], true
		}
	}
	return nil, nil, false
}

var nginxKeys = [...]string{"client", "server", "request", "subrequest", "upstream", "host", "referrer"}

// startsNginxItem reports whether s starts with ", key: " for a key of the list.
func startsNginxItem(s []byte) bool {
	s, ok := bytes.CutPrefix(s, []byte(", "))
	if !ok {
		return false
	}
	for _, k := range nginxKeys {
		if len(s) > len(k)+1 && string(s[:len(k)]) == k && s[len(k)] == ':' && s[len(k)+1] == ' ' {
			return true
		}
	}
	return false
}

func isNginxKey(k []byte) bool {
	for _, key := range nginxKeys {
		if string(k) == key {
			return true
		}
	}
	return false
}
