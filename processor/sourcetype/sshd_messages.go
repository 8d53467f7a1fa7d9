package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ipaddr"
)

// repeated reads "N times: [ message]", syslogd's summary of repeated lines, as its message.
func repeated(d *ecs.Document, r []byte) bool {
	_, inner, ok := bytes.Cut(r, []byte(" times: [ "))
	if !ok || len(inner) == 0 || inner[len(inner)-1] != ']' {
		return false
	}
	inner = inner[:len(inner)-1]
	if bytes.HasPrefix(inner, []byte("message repeated ")) {
		return false // not nested
	}
	return sshdMessage(d, inner)
}

// login reads "<method> for [invalid user ]<user> from <ip> port <port> <protocol>[: <key>]"
// after Accepted or Failed.
func login(d *ecs.Document, r []byte, event string) bool {
	method, r, ok := bytes.Cut(r, []byte(" for "))
	if !ok || len(method) == 0 || bytes.IndexByte(method, ' ') >= 0 {
		return false
	}
	user, ip, port, ok := userFrom(r)
	if !ok {
		return false
	}
	d.SetString("system.auth.ssh.event", event)
	d.SetBytes("system.auth.ssh.method", method)
	setPeer(d, user, ip, port)
	if event == "Accepted" {
		categorise(d, "ssh_login", catAuthSession, typeInfo, "success")
	} else {
		categorise(d, "ssh_login", catAuth, typeInfo, "failure")
	}
	return true
}

// userFrom reads "[invalid user ]<user> from <ip>[ port <port>][ ...]". The user name, which
// the client chose, may hold spaces: it ends at the last " from ".
func userFrom(r []byte) (user, ip, port []byte, ok bool) {
	r, _ = bytes.CutPrefix(r, []byte("invalid user "))
	i := bytes.LastIndex(r, []byte(" from "))
	if i < 0 {
		return nil, nil, nil, false
	}
	user, r = r[:i], r[i+len(" from "):]
	ip, r, _ = bytes.Cut(r, []byte{' '})
	if p, ok := bytes.CutPrefix(r, []byte("port ")); ok {
		port, _, _ = bytes.Cut(p, []byte{' '})
	}
	return user, ip, port, len(ip) > 0
}

// setPeer sets user.name and the source.* fields; empty values are left out.
func setPeer(d *ecs.Document, user, addr, port []byte) {
	if len(user) > 0 {
		d.SetBytes("user.name", user)
	}
	if len(addr) > 0 {
		d.SetBytes("source.address", addr)
		if ipaddr.Valid(addr) {
			d.SetBytes("source.ip", addr)
		}
	}
	if n, ok := atoi(port); ok && n <= 65535 {
		d.SetInt("source.port", n)
	}
}

// invalidUser reads "<user> from <ip>[ port <port>]" after "Invalid user ", or "<user>"
// after input_userauth_request's "invalid user ".
func invalidUser(d *ecs.Document, r []byte) bool {
	user, ip, port, ok := userFrom(r)
	if !ok {
		user = r
	}
	setPeer(d, user, ip, port)
	d.SetString("system.auth.ssh.event", "Invalid")
	categorise(d, "invalid_user", catAuth, typeInfo, "failure")
	return true
}

// pamFailure reads the "logname= uid=0 euid=0 tty=ssh ruser= rhost=<host>  user=<user>" of
// pam_unix's authentication failure.
func pamFailure(d *ecs.Document, r []byte) bool {
	var user, rhost []byte
	for len(r) > 0 {
		var f []byte
		f, r, _ = bytes.Cut(r, []byte{' '})
		if v, ok := bytes.CutPrefix(f, []byte("rhost=")); ok {
			rhost = v
		} else if v, ok := bytes.CutPrefix(f, []byte("user=")); ok {
			user = v
		}
	}
	setPeer(d, user, rhost, nil)
	categorise(d, "authentication_failure", catAuth, typeInfo, "failure")
	return true
}

// pamMore reads "N more authentication failures; ..." from PAM.
func pamMore(d *ecs.Document, r []byte) bool {
	_, r, ok := bytes.Cut(r, []byte(" more authentication failure"))
	if !ok {
		return false
	}
	_, r, _ = bytes.Cut(r, []byte("; "))
	return pamFailure(d, r)
}

func checkPass(d *ecs.Document, _ []byte) bool {
	categorise(d, "unknown_user", catAuth, typeInfo, "failure")
	return true
}

// reverseMapping reads "<host> [<ip>] failed - POSSIBLE BREAK-IN ATTEMPT!".
func reverseMapping(d *ecs.Document, r []byte) bool {
	host, r, ok := bytes.Cut(r, []byte(" ["))
	ip, _, ok2 := bytes.Cut(r, []byte("]"))
	if !ok || !ok2 {
		return false
	}
	d.SetBytes("source.domain", host)
	setPeer(d, nil, ip, nil)
	categorise(d, "reverse_mapping_failed", catNetwork, typeInfo, "")
	return true
}

// addressMapping reads "<ip> maps to <host>, but this does not map back to the address".
func addressMapping(d *ecs.Document, r []byte) bool {
	ip, r, ok := bytes.Cut(r, []byte(" maps to "))
	host, _, ok2 := bytes.Cut(r, []byte(", but this does not map back"))
	if !ok || !ok2 {
		return false
	}
	d.SetBytes("source.domain", host)
	setPeer(d, nil, ip, nil)
	categorise(d, "reverse_mapping_failed", catNetwork, typeInfo, "")
	return true
}

// peer reads "[authenticating |invalid ]user <user> <ip> port <port>" or "<ip>[ port <port>]".
func peer(r []byte) (user, ip, port []byte) {
	if i := bytes.LastIndex(r, []byte(" port ")); i >= 0 {
		r, port = r[:i], r[i+len(" port "):]
	}
	i := bytes.LastIndexByte(r, ' ')
	ip, r = r[i+1:], r[:max(i, 0)]
	r, _ = bytes.CutPrefix(r, []byte("authenticating "))
	r, _ = bytes.CutPrefix(r, []byte("invalid "))
	user, _ = bytes.CutPrefix(r, []byte("user "))
	return user, ip, port
}

func connectionClosed(d *ecs.Document, r []byte) bool {
	user, ip, port := peer(r)
	setPeer(d, user, ip, port)
	categorise(d, "connection_closed", catNetwork, typeConnEnd, "")
	return true
}

func disconnected(d *ecs.Document, r []byte) bool {
	user, ip, port := peer(r)
	setPeer(d, user, ip, port)
	categorise(d, "disconnected", catNetwork, typeConnEnd, "")
	return true
}

// receivedDisconnect reads "<ip> port <port>:<code>: <reason>" or, from older servers,
// "<ip>: <code>: <reason>".
func receivedDisconnect(d *ecs.Document, r []byte) bool {
	var ip, port []byte
	if i := bytes.Index(r, []byte(" port ")); i >= 0 {
		ip, port = r[:i], r[i+len(" port "):]
		port, _, _ = bytes.Cut(port, []byte{':'})
	} else if i := bytes.Index(r, []byte(": ")); i >= 0 {
		ip = r[:i]
	} else {
		return false
	}
	setPeer(d, nil, ip, port)
	categorise(d, "disconnect_received", catNetwork, typeConnEnd, "")
	return true
}

func noIdentification(d *ecs.Document, r []byte) bool {
	_, ip, port := peer(r)
	setPeer(d, nil, ip, port)
	categorise(d, "no_identification", catNetwork, typeInfo, "failure")
	return true
}

// tooManyFailures reads the user after "Disconnecting: Too many authentication failures for ".
func tooManyFailures(d *ecs.Document, r []byte) bool {
	r, _ = bytes.CutPrefix(r, []byte("invalid user "))
	setPeer(d, r, nil, nil)
	categorise(d, "max_auth_attempts_exceeded", catAuth, typeInfo, "failure")
	return true
}

// maxAttempts reads "[invalid user ]<user> from <ip> port <port> ssh2".
func maxAttempts(d *ecs.Document, r []byte) bool {
	user, ip, port, ok := userFrom(r)
	if !ok {
		return false
	}
	setPeer(d, user, ip, port)
	categorise(d, "max_auth_attempts_exceeded", catAuth, typeInfo, "failure")
	return true
}

// sessionOpened reads "<user>[(uid=N)] by <who>[(uid=N)]".
func sessionOpened(d *ecs.Document, r []byte) bool {
	user, _, _ := bytes.Cut(r, []byte(" by "))
	setPeer(d, sessionUser(user), nil, nil)
	categorise(d, "session_opened", catSession, `["start"]`, "success")
	return true
}

func sessionClosed(d *ecs.Document, r []byte) bool {
	setPeer(d, sessionUser(r), nil, nil)
	categorise(d, "session_closed", catSession, `["end"]`, "")
	return true
}

// sessionUser drops the "(uid=1000)" newer PAM versions add to the user.
func sessionUser(u []byte) []byte {
	if i := bytes.LastIndex(u, []byte("(uid=")); i > 0 && u[len(u)-1] == ')' {
		return u[:i]
	}
	return u
}
