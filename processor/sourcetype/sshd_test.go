package sourcetype

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// sshdFields picks the fields the sshd parser is about from a document.
func sshdFields(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &m))
	get := func(path ...string) any {
		var v any = m
		for _, p := range path {
			o, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = o[p]
		}
		return v
	}
	out := map[string]any{}
	for name, path := range map[string][]string{
		"action": {"event", "action"}, "outcome": {"event", "outcome"}, "category": {"event", "category"},
		"type": {"event", "type"}, "user": {"user", "name"}, "ip": {"source", "ip"}, "address": {"source", "address"},
		"port": {"source", "port"}, "domain": {"source", "domain"}, "method": {"system", "auth", "ssh", "method"},
		"ssh_event": {"system", "auth", "ssh", "event"}, "message": {"message"},
	} {
		if v := get(path...); v != nil {
			out[name] = v
		}
	}
	return out
}

func TestSSHDParser(t *testing.T) {
	auth := []any{"authentication"}
	authSession := []any{"authentication", "session"}
	network := []any{"network"}
	info := []any{"info"}
	connEnd := []any{"connection", "end"}
	tests := []struct {
		line string
		want map[string]any
	}{
		{"Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2\r",
			map[string]any{"action": "ssh_login", "outcome": "success", "category": authSession, "type": info, "user": "fztu",
				"ip": "119.137.62.142", "address": "119.137.62.142", "port": 49116.0, "method": "password", "ssh_event": "Accepted",
				"message": "Accepted password for fztu from 119.137.62.142 port 49116 ssh2"}},
		{"Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
			map[string]any{"action": "ssh_login", "outcome": "failure", "category": auth, "type": info, "user": "webmaster",
				"ip": "173.234.31.186", "address": "173.234.31.186", "port": 38926.0, "method": "password", "ssh_event": "Failed",
				"message": "Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2"}},
		{"Dec 10 08:24:35 LabSZ sshd[24361]: Failed password for invalid user  0101 from 5.188.10.180 port 36279 ssh2",
			map[string]any{"action": "ssh_login", "outcome": "failure", "category": auth, "type": info, "user": " 0101",
				"ip": "5.188.10.180", "address": "5.188.10.180", "port": 36279.0, "method": "password", "ssh_event": "Failed",
				"message": "Failed password for invalid user  0101 from 5.188.10.180 port 36279 ssh2"}},
		{"Jan  5 10:00:00 h sshd[1]: Accepted publickey for alice from 2001:db8::1 port 22 ssh2: RSA SHA256:abc",
			map[string]any{"action": "ssh_login", "outcome": "success", "category": authSession, "type": info, "user": "alice",
				"ip": "2001:db8::1", "address": "2001:db8::1", "port": 22.0, "method": "publickey", "ssh_event": "Accepted",
				"message": "Accepted publickey for alice from 2001:db8::1 port 22 ssh2: RSA SHA256:abc"}},
		{"Failed keyboard-interactive/pam for root from 10.0.0.1 port 5 ssh2",
			map[string]any{"action": "ssh_login", "outcome": "failure", "category": auth, "type": info, "user": "root",
				"ip": "10.0.0.1", "address": "10.0.0.1", "port": 5.0, "method": "keyboard-interactive/pam", "ssh_event": "Failed",
				"message": "Failed keyboard-interactive/pam for root from 10.0.0.1 port 5 ssh2"}},
		{"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\r",
			map[string]any{"action": "invalid_user", "outcome": "failure", "category": auth, "type": info, "user": "webmaster",
				"ip": "173.234.31.186", "address": "173.234.31.186", "ssh_event": "Invalid",
				"message": "Invalid user webmaster from 173.234.31.186"}},
		{"Jan  5 10:00:00 h sshd[1]: Invalid user admin from 10.1.2.3 port 4444",
			map[string]any{"action": "invalid_user", "outcome": "failure", "category": auth, "type": info, "user": "admin",
				"ip": "10.1.2.3", "address": "10.1.2.3", "port": 4444.0, "ssh_event": "Invalid",
				"message": "Invalid user admin from 10.1.2.3 port 4444"}},
		{"Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster [preauth]",
			map[string]any{"action": "invalid_user", "outcome": "failure", "category": auth, "type": info, "user": "webmaster",
				"ssh_event": "Invalid", "message": "input_userauth_request: invalid user webmaster [preauth]"}},
		{"Dec 10 07:02:47 LabSZ sshd[24203]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root",
			map[string]any{"action": "authentication_failure", "outcome": "failure", "category": auth, "type": info, "user": "root",
				"ip": "112.95.230.3", "address": "112.95.230.3",
				"message": "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root"}},
		{"Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root",
			map[string]any{"action": "authentication_failure", "outcome": "failure", "category": auth, "type": info, "user": "root",
				"address": "220-135-151-1.hinet-ip.hinet.net",
				"message": "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root"}},
		{"Jun 15 12:12:34 combo sshd(pam_unix)[23397]: check pass; user unknown",
			map[string]any{"action": "unknown_user", "outcome": "failure", "category": auth, "type": info, "message": "check pass; user unknown"}},
		{"Jun 10 11:32:18 combo sshd(pam_unix)[1]: session opened for user test by (uid=509)",
			map[string]any{"action": "session_opened", "outcome": "success", "category": []any{"session"}, "type": []any{"start"}, "user": "test",
				"message": "session opened for user test by (uid=509)"}},
		{"Dec 10 07:28:03 LabSZ sshd[24245]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root",
			map[string]any{"action": "authentication_failure", "outcome": "failure", "category": auth, "type": info, "user": "root",
				"ip": "112.95.230.3", "address": "112.95.230.3",
				"message": "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root"}},
		{"Dec 10 07:08:28 LabSZ sshd[24208]: pam_unix(sshd:auth): check pass; user unknown",
			map[string]any{"action": "unknown_user", "outcome": "failure", "category": auth, "type": info,
				"message": "pam_unix(sshd:auth): check pass; user unknown"}},
		{"Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
			map[string]any{"action": "reverse_mapping_failed", "category": network, "type": info, "domain": "ns.marryaldkfaczcz.com",
				"ip": "173.234.31.186", "address": "173.234.31.186",
				"message": "reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!"}},
		{"Address 10.0.0.9 maps to evil.example, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!",
			map[string]any{"action": "reverse_mapping_failed", "category": network, "type": info, "domain": "evil.example",
				"ip": "10.0.0.9", "address": "10.0.0.9",
				"message": "Address 10.0.0.9 maps to evil.example, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!"}},
		{"Dec 10 07:07:38 LabSZ sshd[24206]: Received disconnect from 52.80.34.196: 11: Bye Bye [preauth]",
			map[string]any{"action": "disconnect_received", "category": network, "type": connEnd, "ip": "52.80.34.196", "address": "52.80.34.196",
				"message": "Received disconnect from 52.80.34.196: 11: Bye Bye [preauth]"}},
		{"Jan  5 10:00:00 h sshd[1]: Received disconnect from 10.0.0.1 port 52844:11: disconnected by user",
			map[string]any{"action": "disconnect_received", "category": network, "type": connEnd, "ip": "10.0.0.1", "address": "10.0.0.1", "port": 52844.0,
				"message": "Received disconnect from 10.0.0.1 port 52844:11: disconnected by user"}},
		{"Dec 10 07:11:42 LabSZ sshd[24224]: error: Received disconnect from 103.99.0.122: 14: No more user authentication methods available. [preauth]",
			map[string]any{"action": "disconnect_received", "category": network, "type": connEnd, "ip": "103.99.0.122", "address": "103.99.0.122",
				"message": "error: Received disconnect from 103.99.0.122: 14: No more user authentication methods available. [preauth]"}},
		{"Dec 10 09:12:51 LabSZ sshd[24495]: Connection closed by 212.47.254.145 [preauth]",
			map[string]any{"action": "connection_closed", "category": network, "type": connEnd, "ip": "212.47.254.145", "address": "212.47.254.145",
				"message": "Connection closed by 212.47.254.145 [preauth]"}},
		{"Connection closed by authenticating user root 10.0.0.1 port 40000 [preauth]",
			map[string]any{"action": "connection_closed", "category": network, "type": connEnd, "user": "root", "ip": "10.0.0.1", "address": "10.0.0.1", "port": 40000.0,
				"message": "Connection closed by authenticating user root 10.0.0.1 port 40000 [preauth]"}},
		{"Disconnected from invalid user oracle 10.0.0.1 port 40000 [preauth]",
			map[string]any{"action": "disconnected", "category": network, "type": connEnd, "user": "oracle", "ip": "10.0.0.1", "address": "10.0.0.1", "port": 40000.0,
				"message": "Disconnected from invalid user oracle 10.0.0.1 port 40000 [preauth]"}},
		{"Disconnected from 10.0.0.1 port 40000",
			map[string]any{"action": "disconnected", "category": network, "type": connEnd, "ip": "10.0.0.1", "address": "10.0.0.1", "port": 40000.0,
				"message": "Disconnected from 10.0.0.1 port 40000"}},
		{"Dec 10 07:13:56 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]",
			map[string]any{"action": "max_auth_attempts_exceeded", "outcome": "failure", "category": auth, "type": info, "user": "root",
				"message": "Disconnecting: Too many authentication failures for root [preauth]"}},
		{"error: maximum authentication attempts exceeded for invalid user test from 10.0.0.1 port 40000 ssh2 [preauth]",
			map[string]any{"action": "max_auth_attempts_exceeded", "outcome": "failure", "category": auth, "type": info, "user": "test",
				"ip": "10.0.0.1", "address": "10.0.0.1", "port": 40000.0,
				"message": "error: maximum authentication attempts exceeded for invalid user test from 10.0.0.1 port 40000 ssh2 [preauth]"}},
		{"Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]",
			map[string]any{"action": "ssh_login", "outcome": "failure", "category": auth, "type": info, "user": "root",
				"ip": "5.36.59.76", "address": "5.36.59.76", "port": 42393.0, "method": "password", "ssh_event": "Failed",
				"message": "message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]"}},
		{"Dec 10 07:34:33 LabSZ sshd[24301]: Did not receive identification string from 123.235.32.19",
			map[string]any{"action": "no_identification", "outcome": "failure", "category": network, "type": info, "ip": "123.235.32.19", "address": "123.235.32.19",
				"message": "Did not receive identification string from 123.235.32.19"}},
		{"Dec 10 09:32:20 LabSZ sshd[24680]: pam_unix(sshd:session): session opened for user fztu by (uid=0)",
			map[string]any{"action": "session_opened", "outcome": "success", "category": []any{"session"}, "type": []any{"start"}, "user": "fztu",
				"message": "pam_unix(sshd:session): session opened for user fztu by (uid=0)"}},
		{"pam_unix(sshd:session): session opened for user bob(uid=1000) by (uid=0)",
			map[string]any{"action": "session_opened", "outcome": "success", "category": []any{"session"}, "type": []any{"start"}, "user": "bob",
				"message": "pam_unix(sshd:session): session opened for user bob(uid=1000) by (uid=0)"}},
		{"Dec 10 09:33:00 LabSZ sshd[24680]: pam_unix(sshd:session): session closed for user fztu",
			map[string]any{"action": "session_closed", "category": []any{"session"}, "type": []any{"end"}, "user": "fztu",
				"message": "pam_unix(sshd:session): session closed for user fztu"}},
		{"Dec 10 11:03:44 LabSZ sshd[25455]: fatal: Write failed: Connection reset by peer [preauth]",
			map[string]any{"message": "fatal: Write failed: Connection reset by peer [preauth]"}},
		{"Dec 10 11:03:44 LabSZ sshd[25455]: Failed to do something odd",
			map[string]any{"message": "Failed to do something odd"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			doc, _, err := parseEnv(t, SSHDParser{}, tt.line, syslogEnv())
			require.NoError(t, err)
			require.Equal(t, tt.want, sshdFields(t, doc))
		})
	}
}

func TestSSHDParserSyslogFields(t *testing.T) {
	doc, ts, err := parseEnv(t, SSHDParser{}, "<38>Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186", syslogEnv())
	require.NoError(t, err)
	require.Equal(t, "2023-12-10T06:55:46Z", ts.Format("2006-01-02T15:04:05Z07:00"))
	require.JSONEq(t, `{"event":{"action":"invalid_user","category":["authentication"],"kind":"event","outcome":"failure","type":["info"]},`+
		`"host":{"hostname":"LabSZ"},"log":{"level":"informational","syslog":{"appname":"sshd","facility":{"code":4,"name":"auth"},"hostname":"LabSZ","priority":38,"procid":"24200","severity":{"code":6,"name":"Informational"}}},`+
		`"message":"Invalid user webmaster from 173.234.31.186","process":{"name":"sshd","pid":24200},`+
		`"source":{"address":"173.234.31.186","ip":"173.234.31.186"},"system":{"auth":{"ssh":{"event":"Invalid"}}},"user":{"name":"webmaster"}}`, doc)
}

func TestSSHDParserErrors(t *testing.T) {
	_, _, err := parseEnv(t, SSHDParser{}, "hello there", syslogEnv())
	require.ErrorIs(t, err, ErrNoMatch)
	require.Contains(t, err.Error(), "sshd: ")

	doc, _, err := parseEnv(t, SSHDParser{}, "Feb 30 10:00:00 h sshd[1]: Invalid user x from 10.0.0.1", syslogEnv())
	require.ErrorIs(t, err, ErrTimestamp)
	require.Equal(t, "x", sshdFields(t, doc)["user"], "the fields stay on a bad time")
}

func FuzzSSHDParser(f *testing.F) {
	for _, s := range []string{
		"Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2\r",
		"message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]",
		"Connection closed by authenticating user root 10.0.0.1 port 40000 [preauth]",
		"Received disconnect from 10.0.0.1 port 52844:11: x", "Invalid user  from  port ",
		"pam_unix(sshd:auth): authentication failure; rhost= user=", "Address  maps to , but this does not map back",
		"reverse mapping checking getaddrinfo for [", "Failed x for  from ", "PAM 1 more authentication failure",
	} {
		f.Add([]byte(s))
	}
	fuzzParser(f, SSHDParser{})
}
