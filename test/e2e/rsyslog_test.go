package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rsyslog runs rsyslogd for the test on the README's snippets, in a work directory of its
// own and without the system socket, feeds it the case's lines through a unix socket of its
// own and requires them in search.
func (s shipTarget) rsyslog(t *testing.T, c shipCase, snippets ...string) {
	bin := requireProgram(t, "rsyslogd", "rsyslog")
	dir := t.TempDir()
	socket := filepath.Join(dir, "in.sock")
	conf := fmt.Sprintf(`global(workDirectory=%q localHostname="rsyslog-host")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q)
`, dir, socket)
	for _, name := range snippets {
		conf += readmeSnippet(t, name, s.replacements(c.stream)...)
	}
	path := filepath.Join(dir, "rsyslog.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
	rs := startProgram(t, bin, nil, "-n", "-f", path, "-i", filepath.Join(dir, "rsyslogd.pid"))
	lines, before := s.lines(marker(t)), s.records(t, c.protocol)
	feed(t, socket, lines)
	s.requireShipped(t, c, rs, lines, before)
}

// logger sends with util-linux logger over TCP, octet-counted RFC 5424 with the token, as
// the README's Endpoints section shows by hand.
func (s shipTarget) logger(t *testing.T) {
	bin := requireProgram(t, "logger", "logger (util-linux)")
	host, err := os.Hostname()
	require.NoError(t, err)
	c := shipCase{"syslog", "syslog-tcp", syslogFields(host)}
	lines, before := s.lines(marker(t)), s.records(t, c.protocol)
	cmd := exec.Command(bin, "--tcp", "--octet-count", "--rfc5424", "-n", "127.0.0.1", "-P", fmt.Sprint(s.tcp),
		"-t", shipApp, fmt.Sprintf("--id=%d", shipPID), "-p", shipPriority,
		"--sd-id", "auth@32473", "--sd-param", `token="`+demoIngest+`"`, "--sd-param", `stream="syslog"`)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "logger: %s", out)
	s.requireShipped(t, c, nil, lines, before)
}
