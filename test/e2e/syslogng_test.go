package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// syslogNGLibDirs are where scripts/clients unpacks syslog-ng's libraries, in the order of
// LD_LIBRARY_PATH.
var syslogNGLibDirs = []string{"usr/lib/syslog-ng", "usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu"}

// clientsDir is where scripts/clients unpacks what is not installed as a package.
func clientsDir(t *testing.T) string {
	if d := os.Getenv("CLIENTS_DIR"); d != "" {
		return d
	}
	cache, err := os.UserCacheDir()
	require.NoError(t, err)
	return filepath.Join(cache, "trolly-clients")
}

// syslogNG runs the unpacked syslog-ng for the test on the README's snippets, in the foreground
// with its own persist, pid and control files, feeds it the case's lines through a unix
// socket of its own (as the stock configuration's s_src) and requires them in search.
func (s shipTarget) syslogNG(t *testing.T, c shipCase, snippets ...string) {
	root := filepath.Join(clientsDir(t), "syslog-ng")
	bin := requireProgram(t, filepath.Join(root, "usr/sbin/syslog-ng"), "syslog-ng (unpacked under "+root+")")
	dir := t.TempDir()
	socket := filepath.Join(dir, "in.sock")
	conf := fmt.Sprintf(`@version: 3.38
@define include-path "%[1]s/etc/syslog-ng:%[1]s/usr/share/syslog-ng/include"
@include "scl.conf"
source s_src { unix-dgram(%[2]q host-override("syslog-ng-host")); };
`, root, socket)
	for _, name := range snippets {
		conf += readmeSnippet(t, name, s.replacements(c.stream)...)
	}
	path := filepath.Join(dir, "syslog-ng.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
	libs := make([]string, len(syslogNGLibDirs))
	for i, d := range syslogNGLibDirs {
		libs[i] = filepath.Join(root, d)
	}
	ng := startProgram(t, bin, []string{"LD_LIBRARY_PATH=" + strings.Join(libs, ":")},
		"--foreground", "--stderr", "--no-caps", "--module-path", filepath.Join(root, "usr/lib/syslog-ng/3.38"),
		"--cfgfile", path, "--persist-file", filepath.Join(dir, "syslog-ng.persist"),
		"--pidfile", filepath.Join(dir, "syslog-ng.pid"), "--control", filepath.Join(dir, "syslog-ng.ctl"))
	lines, before := s.lines(marker(t)), s.records(t, c.protocol)
	feed(t, socket, lines)
	s.requireShipped(t, c, ng, lines, before)
}
