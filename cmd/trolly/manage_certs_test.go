package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAdminCerts issues, lists and revokes a client certificate with `trolly admin` on a
// SQLite catalog.
func TestAdminCerts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trolly.yaml")
	require.NoError(t, os.WriteFile(path, []byte("data_dir: "+filepath.Join(dir, "data")+"\n"), 0o600))
	run := func(args ...string) (map[string]any, int) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := admin(context.Background(), append(args, "--config", path), nil, strings.NewReader(""), &stdout, &stderr)
		var out map[string]any
		if code == exitOK {
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &out), stdout.String())
		}
		return out, code
	}
	plan, code := run("plans", "create", "--id", "p", "--name", "P", "--query-timeout", "5s", "--max-backlog-bytes", "536870912")
	require.Equal(t, exitOK, code)
	require.Equal(t, "5s", plan["limits"].(map[string]any)["query_timeout"])
	require.Equal(t, float64(512<<20), plan["limits"].(map[string]any)["max_backlog_bytes"])
	_, code = run("tenants", "create", "--id", "acme", "--name", "ACME", "--plan", "p")
	require.Equal(t, exitOK, code)

	prefix := filepath.Join(dir, "web-01")
	issued, code := run("certs", "issue", "--tenant", "acme", "--name", "web-01", "--out", prefix)
	require.Equal(t, exitOK, code)
	require.Equal(t, prefix+".key", issued["private_key_file"])
	require.NotContains(t, issued, "private_key_pem", "the key went to its file only")
	st, err := os.Stat(prefix + ".key")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	certPEM, err := os.ReadFile(prefix + ".crt")
	require.NoError(t, err)
	caPEM, err := os.ReadFile(prefix + "-ca.crt")
	require.NoError(t, err)
	block, _ := pem.Decode(certPEM)
	require.NotNil(t, block)
	leaf, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	_, err = leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)
	_, code = run("certs", "issue", "--tenant", "acme", "--name", "web-01", "--out", prefix)
	require.Equal(t, exitFailure, code, "existing files are never overwritten, and nothing is issued")
	_, code = run("certs", "issue", "--tenant", "acme", "--name", "")
	require.Equal(t, exitUsage, code, "a certificate needs a name")

	id := issued["id"].(string)
	listed, code := run("certs", "list", "--tenant", "acme")
	require.Equal(t, exitOK, code)
	require.Equal(t, issued["fingerprint"], listed["fingerprint"])
	require.Nil(t, listed["revoke_time"])
	_, code = run("certs", "revoke", "--tenant", "other", "--id", id)
	require.Equal(t, exitFailure, code, "another tenant's id finds nothing")
	_, code = run("certs", "revoke", "--tenant", "acme", "--id", id)
	require.Equal(t, exitOK, code)
	listed, code = run("certs", "list", "--tenant", "acme")
	require.Equal(t, exitOK, code)
	require.NotNil(t, listed["revoke_time"])
}
