package processor

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/sourcetype"
)

// TestCorpusSyslog parses the syslog samples under their source types: no line fails, and
// every line has its time, host and program.
func TestCorpusSyslog(t *testing.T) {
	corpus := corpusLines(t)
	for _, c := range []struct{ file, sourceType string }{
		{"linux_2k.log", sourcetype.Syslog},
		{"openssh_2k.log", sourcetype.Syslog},
		{"openssh_2k.log", sourcetype.SSHD},
	} {
		t.Run(c.file+"/"+c.sourceType, func(t *testing.T) {
			lines := corpus[c.file]
			require.NotEmpty(t, lines, "%s missing from the corpus", c.file)
			out, st, err := NewTransformer(nil).Process(newBatch(c.sourceType, text, lines...))
			require.NoError(t, err)
			require.Equal(t, Stats{Events: len(lines)}, st)
			for i, ev := range out.GetEvents() {
				m := requireAlwaysPresent(t, ev, c.sourceType, i)
				require.NotContains(t, m, "tags", "line %d: %s", i+1, ev.GetSource())
				host, _ := lookup(m, "host", "hostname")
				require.Contains(t, []any{"combo", "LabSZ"}, host, "line %d", i+1)
				require.NotEqual(t, testReceived.UnixNano(), ev.GetTimestampUnixNano(), "line %d has no time of its own", i+1)
			}
		})
	}
}

// sshdOracle reads the login lines of the OpenSSH sample a second way, by regular
// expression, for the parser to agree with.
var sshdOracle = []struct {
	re      *regexp.Regexp
	outcome string
	action  string
}{
	{regexp.MustCompile(`: Accepted (\S+) for (.+) from (\S+) port (\d+) `), "success", "ssh_login"},
	{regexp.MustCompile(`: (?:message repeated \d+ times: \[ )?Failed (\S+) for (?:invalid user )?(.+) from (\S+) port (\d+) `), "failure", "ssh_login"},
	{regexp.MustCompile(`: Invalid user (.*) from (\S+)\r?$`), "failure", "invalid_user"},
	{regexp.MustCompile(`: pam_unix\(sshd:auth\): authentication failure; .* rhost=(\S+)(?:  user=(\S+))?`), "failure", "authentication_failure"},
}

func TestCorpusSSHDFields(t *testing.T) {
	lines := corpusLines(t)["openssh_2k.log"]
	require.NotEmpty(t, lines)
	out, err := Process(newBatch(sourcetype.SSHD, text, lines...))
	require.NoError(t, err)
	checked := 0
	for i, ev := range out.GetEvents() {
		m := decode(t, ev.GetSource())
		for _, o := range sshdOracle {
			sub := o.re.FindSubmatch(lines[i])
			if sub == nil {
				continue
			}
			checked++
			action, _ := lookup(m, "event", "action")
			outcome, _ := lookup(m, "event", "outcome")
			user, _ := lookup(m, "user", "name")
			ip, _ := lookup(m, "source", "address")
			port, _ := lookup(m, "source", "port")
			require.Equal(t, o.action, action, "line %d", i+1)
			require.Equal(t, o.outcome, outcome, "line %d", i+1)
			switch o.action {
			case "ssh_login":
				method, _ := lookup(m, "system", "auth", "ssh", "method")
				require.Equal(t, string(sub[1]), method, "line %d", i+1)
				require.Equal(t, string(sub[2]), user, "line %d", i+1)
				require.Equal(t, string(sub[3]), ip, "line %d", i+1)
				require.Equal(t, json.Number(sub[4]), port, "line %d", i+1)
			case "invalid_user":
				require.Equal(t, string(sub[2]), ip, "line %d", i+1)
				if len(sub[1]) > 0 {
					require.Equal(t, string(sub[1]), user, "line %d", i+1)
				}
			case "authentication_failure":
				require.Equal(t, string(sub[1]), ip, "line %d", i+1)
				if len(sub[2]) > 0 {
					require.Equal(t, string(sub[2]), user, "line %d", i+1)
				}
			}
			break
		}
	}
	require.Greater(t, checked, len(lines)/2, "the oracle should cover most of the sample")
}

// TestCorpusSSHDSpotChecks pins a few real lines of the sample to their fields.
func TestCorpusSSHDSpotChecks(t *testing.T) {
	lines := corpusLines(t)["openssh_2k.log"]
	require.NotEmpty(t, lines)
	out, err := Process(newBatch(sourcetype.SSHD, text, lines...))
	require.NoError(t, err)
	for _, c := range []struct {
		line                          int
		user, ip, outcome, action, at string
	}{
		{2, "webmaster", "173.234.31.186", "failure", "invalid_user", "2023-12-10T06:55:46Z"},
		{185, " 0101", "5.188.10.180", "failure", "invalid_user", "2023-12-10T08:24:32Z"},
		{956, "fztu", "119.137.62.142", "success", "ssh_login", "2023-12-10T09:32:20Z"},
		{30, "root", "5.36.59.76", "failure", "ssh_login", "2023-12-10T07:13:56Z"},
	} {
		m := decode(t, out.GetEvents()[c.line-1].GetSource())
		for path, want := range map[string]string{"user.name": c.user, "source.ip": c.ip,
			"event.outcome": c.outcome, "event.action": c.action, "@timestamp": c.at} {
			got, _ := lookup(m, strings.Split(path, ".")...)
			require.Equal(t, want, got, "line %d %s: %s", c.line, path, lines[c.line-1])
		}
	}
}
