package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The development keys of deploy/dev/trolly.yaml.
const (
	demoIngest = "demo-ingest-key"
	demoRead   = "demo-read-key"
	acmeIngest = "acme-ingest-key"
	acmeRead   = "acme-read-key"
)

// hashKey asks the binary for a key's stored form, as an operator does.
func hashKey(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command(binary, "hash-key", key).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// writeConfig writes a configuration on free ports under dir; extra is appended YAML (a
// queue section, say).
func writeConfig(t *testing.T, dir string, extra ...string) (server, string) {
	t.Helper()
	api, ingest, admin := freePort(t), freePort(t), freePort(t)
	tenant := func(id string, retention int) string {
		return fmt.Sprintf(`
  - id: %[1]s
    retention_days: %[2]d
    keys:
      - {name: ingest, scope: ingest, hash: "%[3]s"}
      - {name: read, scope: read, hash: "%[4]s"}
    streams:
      - {name: web, source_type: nginx_access}
      - {name: app, source_type: json}
      - {name: raw, source_type: text}
      - {name: syslog, source_type: syslog}
      - name: auth
        source_type: sshd
        parser:
          pipeline:
            - drop: {if: "event.action:connection_closed"}
            - duplicate: {if: "event.outcome:failure", stream: alerts}
      - {name: alerts, source_type: text}
      - name: mixed
        source_type: auto
        parser:
          multiline: {preset: stack_traces}
          pipeline:
            - redact: {builtins: [email, credit_card]}`, id, retention, hashKey(t, id+"-ingest-key"), hashKey(t, id+"-read-key"))
	}
	cfg := fmt.Sprintf(`data_dir: %s
log: {level: debug}
admin: {listen: "127.0.0.1:%d"}
api: {listen: "127.0.0.1:%d"}
gateway: {listen: "127.0.0.1:%d", max_body_bytes: 1048576}
archiver: {max_chunk_age: 1s}
tenants:%s%s
%s`, filepath.Join(dir, "data"), admin, api, ingest, tenant("demo", 7), tenant("acme", 90), strings.Join(extra, "\n"))
	path := filepath.Join(dir, "trolly.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	return server{
		apiURL:    fmt.Sprintf("http://127.0.0.1:%d", api),
		ingestURL: fmt.Sprintf("http://127.0.0.1:%d", ingest),
		adminURL:  fmt.Sprintf("http://127.0.0.1:%d", admin),
	}, path
}

// jsonLines makes n NDJSON application events for acme, a minute apart from start.
func jsonLines(n int, start time.Time) []string {
	out := make([]string, n)
	for i := range n {
		at := start.Add(time.Duration(i) * time.Minute).UTC().Format(time.RFC3339Nano)
		out[i] = fmt.Sprintf(`{"@timestamp":%q,"message":"order %d shipped to warehouse","order":{"id":%d},"log.level":"info"}`, at, i, i)
	}
	return out
}

// waitTotal polls a search until its total reaches want, failing after a bound.
func waitTotal(t *testing.T, s server, key, q, from, to string, want int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		got := s.search(t, key, q, from, to, 1).total(t)
		if got == want {
			return
		}
		require.LessOrEqual(t, got, want, "more events than were sent for q=%q", q)
		require.True(t, time.Now().Before(deadline), "q=%q: %d of %d events searchable after 90s", q, got, want)
		time.Sleep(200 * time.Millisecond)
	}
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	srv, cfg := writeConfig(t, dir, postgresCatalog(t))
	in := start(t, "all", "--config", cfg)
	in.waitReady(t, srv.readyURLs()...)

	now := time.Now().UTC()
	from, to := now.Add(-48*time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)

	web := accessLines(300, now.Add(-2*time.Hour))
	for i := 0; i < len(web); i += 100 {
		srv.mustIngest(t, demoIngest, "web", "", texts(web[i:i+100]), i == 100)
	}
	const notAccess = "this line is not in any access-log format"
	srv.mustIngest(t, demoIngest, "web", "", []string{notAccess}, false)
	ssh := corpusLines(t, "openssh_2k.log")
	if len(ssh) > 0 {
		srv.mustIngest(t, demoIngest, "raw", "", ssh, true)
	}
	// A record that claims to be acme's: the tenant is the key's, whatever the body says.
	forged := fmt.Sprintf(`{"@timestamp":%q,"message":"forged claim","organization":{"id":"acme"},"event":{"id":"x"}}`, now.Add(-time.Hour).Format(time.RFC3339))
	srv.mustIngest(t, demoIngest, "app", "application/x-ndjson", []string{forged}, false)
	app := jsonLines(150, now.Add(-5*time.Hour))
	srv.mustIngest(t, acmeIngest, "app", "application/x-ndjson", app, true)
	linux := corpusLines(t, "linux_2k.log")
	if len(linux) > 0 {
		srv.mustIngest(t, acmeIngest, "raw", "text/plain; charset=utf-8", linux, false)
	}
	want := map[string]int{"demo": len(web) + 2 + len(ssh), "acme": len(app) + len(linux)}
	waitTotal(t, srv, demoRead, "", from, to, want["demo"])
	waitTotal(t, srv, acmeRead, "", from, to, want["acme"])

	t.Run("access log fields", func(t *testing.T) { checkAccessFields(t, srv, web, from, to) })
	t.Run("queries", func(t *testing.T) { checkQueries(t, srv, web, ssh, from, to) })
	t.Run("json events", func(t *testing.T) { checkJSONEvents(t, srv, app, from, to) })
	t.Run("parse failure kept", func(t *testing.T) {
		r := srv.search(t, demoRead, "tags:_parse_failure", from, to, 10)
		require.Equal(t, 1, r.total(t))
		require.Equal(t, notAccess, field(r.Hits[0].Source, "message"))
		require.NotEmpty(t, field(r.Hits[0].Source, "error.message"))
	})
	t.Run("tenant walls", func(t *testing.T) { checkTenantWalls(t, srv, from, to, want) })
	t.Run("tenant cannot be forged", func(t *testing.T) {
		require.Zero(t, srv.search(t, acmeRead, "forged", from, to, 10).total(t))
		r := srv.search(t, demoRead, "forged", from, to, 10)
		require.Equal(t, 1, r.total(t))
		require.Equal(t, "demo", field(r.Hits[0].Source, "organization.id"))
		require.NotEqual(t, "x", field(r.Hits[0].Source, "event.id"), "event ids are Trolly's")
	})
	t.Run("refusals", func(t *testing.T) { checkRefusals(t, srv, from, to) })
	t.Run("grpc", func(t *testing.T) { checkGRPC(t, srv, from, to, want) })
	t.Run("metrics and openapi", func(t *testing.T) { checkMetrics(t, srv, want) })

	before := map[string]result{
		"demo": srv.search(t, demoRead, "", from, to, 200),
		"acme": srv.search(t, acmeRead, "", from, to, 200),
	}
	require.Equal(t, 0, in.stop(t), "SIGTERM drains and exits 0")

	t.Run("archive holds every event", func(t *testing.T) {
		ids := readArchive(t, filepath.Join(dir, "data", "archive"))
		for tenant, n := range want {
			require.Len(t, ids[tenant], n, "archived events of %s", tenant)
			for _, h := range before[tenant].Hits {
				require.True(t, ids[tenant][h.ID], "event %s of %s is searchable but not archived", h.ID, tenant)
			}
		}
	})

	t.Run("restart answers the same", func(t *testing.T) {
		again := start(t, "all", "--config", cfg)
		again.waitReady(t, srv.readyURLs()...)
		requireSameResults(t, srv, before, from, to)
		require.Equal(t, 0, again.stop(t))
	})

	t.Run("api alone serves the same", func(t *testing.T) {
		alone := start(t, "api", "--config", cfg)
		alone.waitReady(t, srv.adminURL+"/readyz", srv.apiURL+"/readyz")
		requireSameResults(t, srv, before, from, to)
		_, err := http.Post(srv.ingestURL+"/ingest/v1/streams/web", "text/plain", strings.NewReader("x\n"))
		require.Error(t, err, "trolly api runs no gateway")
		require.Equal(t, 0, alone.stop(t))
	})
}

func requireSameResults(t *testing.T, srv server, before map[string]result, from, to string) {
	t.Helper()
	for tenant, key := range map[string]string{"demo": demoRead, "acme": acmeRead} {
		r := srv.search(t, key, "", from, to, 200)
		require.Equal(t, before[tenant].Total, r.Total, tenant)
		require.Equal(t, ids(before[tenant].Hits), ids(r.Hits), tenant)
	}
}

func ids(hits []hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func TestSingleLayerRefusesMemoryQueue(t *testing.T) {
	_, cfg := writeConfig(t, t.TempDir(), "queue: {driver: memory-test-only}")
	for _, layer := range []string{"gateway", "processor", "indexer", "archiver"} {
		t.Run(layer, func(t *testing.T) {
			in := start(t, layer, "--config", cfg)
			require.Equal(t, 1, in.wait(t))
			require.Contains(t, in.logs.String(), "the memory queue lives inside one process")
		})
	}
}

func TestBadConfigExitsWithUsage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte("gateway:\n  max_body_bytes: -1\nfrobnicate: true\n"), 0o600))
	in := start(t, "all", "--config", path)
	require.Equal(t, 2, in.wait(t))
	require.Contains(t, in.logs.String(), "frobnicate")
}
