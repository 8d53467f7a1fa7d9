package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/internal/syslog"
	"github.com/trolly-logs/trolly/processor/ecs"
)

// SSHDParser is the "sshd" source type: OpenSSH server messages, in a syslog line (as in
// /var/log/auth.log) or bare. Besides the syslog fields, the messages it knows set
// event.action, event.category, event.type, event.outcome where there is one, user.name,
// source.ip, source.port and source.address, and system.auth.ssh.method and .event as
// Elastic's system module does. Other messages of a syslog line are kept without them.
type SSHDParser struct{}

// Parse sets the syslog and the sshd fields.
func (SSHDParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	d.SetString("event.kind", "event")
	var m syslog.Message
	if err := parseSyslog(line, &m, d, env); err != nil { // a bare message, or not sshd at all
		if !sshdMessage(d, bytes.TrimRight(line, "\r\n")) {
			return noMatch(err, "sshd: neither a syslog line nor a known sshd message")
		}
		return nil
	}
	sshdMessage(d, m.Message)
	return syslogTime(d, &m)
}

// sshdMessage sets the fields of the sshd messages it knows and reports whether msg was one.
func sshdMessage(d *ecs.Document, msg []byte) bool {
	msg, _ = bytes.CutPrefix(msg, []byte("error: "))
	msg, _ = bytes.CutSuffix(msg, []byte(" [preauth]"))
	if rest, ok := bytes.CutPrefix(msg, []byte("message repeated ")); ok {
		return repeated(d, rest)
	}
	for _, h := range sshdHandlers() {
		if rest, ok := bytes.CutPrefix(msg, []byte(h.prefix)); ok {
			return h.fn(d, rest)
		}
	}
	return false
}

// An sshdHandler reads what follows its prefix; it reports false, having set nothing, when
// the rest is not the message it knows.
type sshdHandler struct {
	prefix string
	fn     func(d *ecs.Document, rest []byte) bool
}

// sshdHandlers returns the messages by their fixed start, the most frequent first.
func sshdHandlers() [21]sshdHandler {
	return [...]sshdHandler{
		{"Failed ", func(d *ecs.Document, r []byte) bool { return login(d, r, "Failed") }},
		{"Received disconnect from ", receivedDisconnect},
		{"pam_unix(sshd:auth): authentication failure; ", pamFailure},
		{"Accepted ", func(d *ecs.Document, r []byte) bool { return login(d, r, "Accepted") }},
		{"Invalid user ", invalidUser},
		{"input_userauth_request: invalid user ", invalidUser},
		{"pam_unix(sshd:auth): check pass; user unknown", checkPass},
		{"reverse mapping checking getaddrinfo for ", reverseMapping},
		{"Address ", addressMapping},
		{"Connection closed by ", connectionClosed},
		{"Disconnected from ", disconnected},
		{"Did not receive identification string from ", noIdentification},
		{"Disconnecting: Too many authentication failures for ", tooManyFailures},
		{"maximum authentication attempts exceeded for ", maxAttempts},
		{"PAM ", pamMore},
		{"pam_unix(sshd:session): session opened for user ", sessionOpened},
		{"pam_unix(sshd:session): session closed for user ", sessionClosed},
		// Old Linux PAM tagged its lines "sshd(pam_unix)[pid]:" instead.
		{"authentication failure; ", pamFailure},
		{"check pass; user unknown", checkPass},
		{"session opened for user ", sessionOpened},
		{"session closed for user ", sessionClosed},
	}
}

// categorise sets event.action, category and type, and the outcome unless it is "".
func categorise(d *ecs.Document, action, category, typ, outcome string) {
	d.SetString("event.action", action)
	d.SetRaw("event.category", category)
	d.SetRaw("event.type", typ)
	if outcome != "" {
		d.SetString("event.outcome", outcome)
	}
}

const (
	catAuth        = `["authentication"]`
	catAuthSession = `["authentication","session"]`
	catNetwork     = `["network"]`
	catSession     = `["session"]`
	typeInfo       = `["info"]`
	typeConnEnd    = `["connection","end"]`
)
