package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReadmeSearchCalls runs the README's "Try it" block and then its block of search
// calls, as a reader would, against `trolly all` on the development configuration (moved
// to free ports and a temporary directory), and checks the answers the README shows.
func TestReadmeSearchCalls(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "gzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's examples need %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	var tryIt, calls string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		switch {
		case strings.Contains(m[1], "Ship three nginx"):
			tryIt = m[1]
		case strings.Contains(m[1], "$API/search/histogram"):
			calls = m[1]
		}
	}
	require.NotEmpty(t, tryIt, "README's Try it block")
	require.NotEmpty(t, calls, "README's block of search calls")

	dir := t.TempDir()
	dev, err := os.ReadFile("../../deploy/dev/trolly.yaml")
	require.NoError(t, err)
	api, ingest, admin, syslog := freePort(t), freePort(t), freePort(t), freePort(t)
	cfg := strings.NewReplacer(
		"data_dir: ./data", "data_dir: "+filepath.Join(dir, "data"),
		"gateway:\n", fmt.Sprintf("gateway:\n  listen: 127.0.0.1:%d\n", ingest),
		"127.0.0.1:5514", fmt.Sprintf("127.0.0.1:%d", syslog),
	).Replace(string(dev)) + fmt.Sprintf("\napi: {listen: 127.0.0.1:%d}\nadmin: {listen: 127.0.0.1:%d}\n", api, admin)
	path := filepath.Join(dir, "trolly.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	in := start(t, "all", "--config", path)
	in.waitReady(t, fmt.Sprintf("http://127.0.0.1:%d/readyz", api), fmt.Sprintf("http://127.0.0.1:%d/readyz", admin))

	ports := strings.NewReplacer("127.0.0.1:8080", fmt.Sprintf("127.0.0.1:%d", api), "127.0.0.1:8088", fmt.Sprintf("127.0.0.1:%d", ingest))
	run := func(script string) string {
		cmd := exec.Command("bash", "-eu", "-o", "pipefail", "-c", ports.Replace(script))
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	require.Equal(t, 4, strings.Count(run(tryIt), `{"accepted":`))
	// The README's "searchable about a second after they are accepted".
	deadline := time.Now().Add(30 * time.Second)
	count := `curl -sS -G http://127.0.0.1:8080/api/v1/search/count -H 'Authorization: Bearer demo-read-key' --data-urlencode from=now-1d | jq -r .total`
	for strings.TrimSpace(run(count)) != "8" {
		require.True(t, time.Now().Before(deadline), "the Try it events are not all searchable after 30s")
		time.Sleep(200 * time.Millisecond)
	}

	// protojson may put a space after a comma or colon, differently from run to run.
	out := regexp.MustCompile(`([,:]) (["{\[])`).ReplaceAllString(run(calls), "$1$2")
	require.Equal(t, 8, strings.Count(out, `{"event":{"dataset":`), "every event once over the pages:\n%s", out)
	for _, want := range []string{
		`{"event":{"dataset":"nginx_access"},"message":"203.0.113.9 - - [`,
		`{"total":"1"}`,
		`{"interval":"1m","total":"8","values":["nginx_access","json","sshd","text"],"buckets":[`,
		`{"facets":[{"field":"event.dataset","values":[{"value":"nginx_access","count":"3"},{"value":"json","count":"2"},{"value":"sshd","count":"2"}]},{"field":"http.response.status_code",`,
		`{"fields":[{"field":"@timestamp","count":"8"},`,
		`{"field":"user.name","count":"3"}`,
		"8 demo.ndjson",
	} {
		require.Contains(t, out, want)
	}
}
