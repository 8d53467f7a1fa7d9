package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// vlogsForTest returns the VictoriaLogs binary of `make bench-vlogs`: skipped when it is
// missing outside CI, built in CI.
func vlogsForTest(t *testing.T) string {
	t.Helper()
	path := defaultVictoriaLogs()
	if _, err := os.Stat(path); err != nil && os.Getenv("CI") != "true" {
		t.Skipf("no VictoriaLogs binary at %s (make bench-vlogs builds it; CI=true builds it here)", path)
	}
	_, err := victoriaLogsBinary(path)
	require.NoError(t, err)
	return path
}

// The questions, asked of a real VictoriaLogs loaded with a small corpus, give the answers
// the generated events give.
func TestVictoriaLogsAnswersTheQuestions(t *testing.T) {
	bin := vlogsForTest(t)
	v, err := startVictoriaLogs(bin)
	require.NoError(t, err)
	t.Cleanup(v.kill)

	o := options{lines: 5300, batch: 100, concurrency: 2, timeout: time.Minute}
	c, err := makeCorpus(o.batch, time.Now())
	require.NoError(t, err)
	var accepted atomic.Int64
	rep, err := loadBodies(o, c.json, c.made, v, &accepted)
	require.NoError(t, err)
	require.EqualValues(t, o.lines, rep.lines)
	n, err := v.count(c.made.Add(-2*time.Hour), c.made.Add(time.Hour))
	require.NoError(t, err)
	require.EqualValues(t, o.lines, n)

	a := api{base: v.url, from: "start", to: "end", client: &http.Client{Timeout: time.Minute}}
	from, to := c.made.Add(-time.Hour-time.Minute), c.made.Add(time.Minute)
	qs := questions(c, o.lines, o.batch)
	require.Len(t, qs, 7)
	for _, q := range qs {
		got := ask(a, q.vlogs, from, to, 2)
		require.NoError(t, got.err, q.name)
		require.Equal(t, q.want, got.text, q.name)
		require.Positive(t, got.latency, q.name)
	}
	// The answers are not trivially equal: the questions select different events.
	wants := map[string]bool{}
	for _, q := range qs {
		wants[q.want] = true
	}
	require.Len(t, wants, len(qs))
	require.Equal(t, "0", qs[len(qs)-1].want)

	// A query VictoriaLogs refuses is an error, not an answer.
	bad := ask(a, []call{{"/select/logsql/query", map[string][]string{"query": {"| bad"}}, vlogsCount}}, from, to, 1)
	require.ErrorContains(t, bad.err, "400")
	require.False(t, bad.missing)

	require.NoError(t, v.stop())
	_, err = os.Stat(v.dir)
	require.True(t, os.IsNotExist(err), "the storage directory is removed")
}

// The rare word is one of the generated search terms, sent the fewest times.
func TestRareWord(t *testing.T) {
	c, err := makeCorpus(50, time.Now())
	require.NoError(t, err)
	word := rareWord(c, 20_000, 50)
	require.True(t, strings.HasPrefix(word, "item"), word)
	counts := map[string]int{}
	c.sent(20_000, 50, func(ev event, times int) {
		if w, ok := strings.CutPrefix(ev["url.original"].(string), "/search?q="); ok {
			counts[w] += times
		}
	})
	for w, n := range counts {
		require.GreaterOrEqual(t, n, counts[word], w)
	}
	require.Positive(t, counts[word])
}

// A binary of another version where VictoriaLogs is expected is rebuilt, where go install
// can; elsewhere it is refused.
func TestVictoriaLogsBinaryOfAnotherVersion(t *testing.T) {
	vlogsForTest(t) // the build cache then holds VictoriaLogs, and the rebuild is a link
	self, err := os.ReadFile(os.Args[0])
	require.NoError(t, err)
	dir := t.TempDir()
	path := filepath.Join(dir, "victoria-logs")
	require.NoError(t, os.WriteFile(path, self, 0o755))
	version, err := victoriaLogsBinary(path)
	require.NoError(t, err)
	want, err := exec.Command("go", "list", "-m", "-f", "{{.Path}}@{{.Version}}", vlogsModule).Output()
	require.NoError(t, err)
	require.Equal(t, strings.TrimSpace(string(want)), version)

	other := filepath.Join(dir, "vlogs")
	require.NoError(t, os.WriteFile(other, self, 0o755))
	_, err = victoriaLogsBinary(other)
	require.ErrorContains(t, err, "go install can only make a file named victoria-logs")
}
