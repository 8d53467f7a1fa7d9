package sourcetype

import (
	"bytes"
	"strings"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ipaddr"
)

// Helpers shared by the web server source types.

// setPresent sets path to v, unescaped when escaped says it holds escapes, unless v is
// absent, empty or "-".
func setPresent(d *ecs.Document, path string, v []byte, escaped bool) {
	if isAbsent(v) {
		return
	}
	if escaped {
		v = unescaped(d, v)
	}
	d.SetBytes(path, v)
}

func isAbsent(v []byte) bool {
	return len(v) == 0 || (len(v) == 1 && v[0] == '-')
}

// setAddress sets source.address, and source.ip when it is one.
func setAddress(d *ecs.Document, v []byte) {
	d.SetBytes("source.address", v)
	if ipaddr.Valid(v) {
		d.SetBytes("source.ip", v)
	}
}

// setHost sets the server a request was for, a virtual host or Host header "name[:port]":
// url.domain, destination.domain (destination.ip for an address) and destination.port, as
// Elastic's apache module does.
func setHost(d *ecs.Document, v []byte) {
	name, port, hasPort := splitHostPort(v)
	if isAbsent(name) {
		return
	}
	d.SetBytes("url.domain", name)
	if ipaddr.Valid(name) {
		d.SetBytes("destination.ip", name)
	} else {
		d.SetBytes("destination.domain", name)
	}
	if hasPort {
		d.SetInt("destination.port", port)
	}
}

// splitHostPort splits "name:port" and "[IPv6]:port"; a bare IPv6 address has no port,
// and neither has a name whose port is not a number up to 65535.
func splitHostPort(v []byte) (name []byte, port int64, ok bool) {
	if len(v) > 0 && v[0] == '[' {
		end := bytes.IndexByte(v, ']')
		if end < 0 {
			return v, 0, false
		}
		if end+1 == len(v) {
			return v[1:end], 0, false
		}
		if v[end+1] != ':' {
			return v, 0, false
		}
		if port, ok = portNumber(v[end+2:]); !ok {
			return v, 0, false
		}
		return v[1:end], port, true
	}
	i := bytes.IndexByte(v, ':')
	if i < 0 || bytes.IndexByte(v[i+1:], ':') >= 0 {
		return v, 0, false
	}
	if port, ok = portNumber(v[i+1:]); !ok {
		return v, 0, false
	}
	return v[:i], port, true
}

func portNumber(b []byte) (int64, bool) {
	n, ok := atoi(b)
	return n, ok && len(b) <= 5 && n <= 65535
}

// setRequest sets the parts of a request line, decoding escapes when escaped says it holds
// some.
func setRequest(d *ecs.Document, r []byte, escaped bool) {
	method, target, version, ok := splitRequest(r)
	if !ok {
		return
	}
	if escaped {
		target, version = unescaped(d, target), unescaped(d, version)
	}
	if version != nil {
		d.SetBytes("http.version", version)
	}
	d.SetBytes("http.request.method", method)
	d.SetBytes("url.original", target)
}

// splitRequest splits "METHOD target HTTP/x.y"; the version may be missing, as in
// HTTP/0.9, and the target may hold spaces. Anything else (nginx's "-" for an empty
// request, TLS bytes sent to a plain port) is not a request.
func splitRequest(r []byte) (method, target, version []byte, ok bool) {
	method, target, ok = bytes.Cut(r, []byte{' '})
	if !ok || !isToken(method) {
		return nil, nil, nil, false
	}
	if i := bytes.LastIndexByte(target, ' '); i >= 0 {
		v, isHTTP := bytes.CutPrefix(target[i+1:], []byte("HTTP/"))
		if !isHTTP || len(v) == 0 {
			return nil, nil, nil, false
		}
		target, version = target[:i], v
	}
	if len(target) == 0 {
		return nil, nil, nil, false
	}
	return method, target, version, true
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
