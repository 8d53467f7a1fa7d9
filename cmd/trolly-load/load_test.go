package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/config"
)

// combined matches the lines the processor reads as nginx_access.
var combined = regexp.MustCompile(`^\S+ - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "\w+ \S+ HTTP/1\.1" \d{3} \d+ "[^"]*" "[^"]*"$`)

func TestMakeBodies(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	bodies := makeBodies(50, now)
	require.Len(t, bodies, distinctBatches)
	distinct := map[string]bool{}
	for _, b := range bodies {
		lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
		require.Len(t, lines, 50)
		for _, l := range lines {
			require.Regexp(t, combined, string(l))
			distinct[string(l)] = true
		}
	}
	require.Greater(t, len(distinct), 50*distinctBatches*9/10, "lines are varied")
}

func TestFirstLines(t *testing.T) {
	body := []byte("a\nbb\nccc\n")
	require.Equal(t, "a\n", string(firstLines(body, 1)))
	require.Equal(t, "a\nbb\n", string(firstLines(body, 2)))
	require.Equal(t, string(body), string(firstLines(body, 3)))
}

func TestProcReadings(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	pid := os.Getpid()
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		_ = make([]byte, 1024) // burn some CPU
	}
	cpu, err := procCPU(pid)
	require.NoError(t, err)
	require.Positive(t, cpu)
	rss, err := procPeakRSS(pid)
	require.NoError(t, err)
	require.Greater(t, rss, int64(1<<20))
}

// Each -queue gives a queue section that trolly's configuration takes, with the driver and
// fsync setting named.
func TestEmbeddedQueue(t *testing.T) {
	for name, want := range map[string]struct{ driver, fsync string }{
		"":              {"nats", "always"},
		"memory":        {"memory-test-only", ""},
		"nats":          {"nats", "always"},
		"nats-interval": {"nats", "interval"},
	} {
		t.Run(name, func(t *testing.T) {
			section, err := embeddedQueue(name)
			require.NoError(t, err)
			cfg, err := config.Parse(strings.NewReader("data_dir: " + t.TempDir() + "\n" + section + "\n"))
			require.NoError(t, err)
			cfg.ApplyDefaults()
			require.NoError(t, cfg.Validate())
			require.Equal(t, want.driver, cfg.Queue.Driver)
			if want.driver == "nats" {
				require.True(t, cfg.Queue.NATS.Embedded)
				require.Equal(t, want.fsync, string(cfg.Queue.NATS.Fsync))
			}
		})
	}
	_, err := embeddedQueue("rabbit")
	require.ErrorContains(t, err, `-queue "rabbit"`)
}

// The poll for searchable lines counts with the count call, and with a search of one hit
// where that is missing.
func TestTrollySinkCount(t *testing.T) {
	for _, hasCount := range []bool{true, false} {
		var asked []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked = append(asked, r.URL.Path+"?limit="+r.URL.Query().Get("limit"))
			switch {
			case r.Header.Get("Authorization") != "Bearer rk":
				http.Error(w, "unauthenticated", http.StatusUnauthorized)
			case r.URL.Path == "/api/v1/search/count" && hasCount:
				fmt.Fprint(w, `{"total":"12"}`)
			case r.URL.Path == "/api/v1/search":
				fmt.Fprint(w, `{"total":"34","hits":[{}]}`)
			default:
				http.NotFound(w, r)
			}
		}))
		n, err := trollySink{options{apiURL: srv.URL, readKey: "rk"}}.count(time.Now().Add(-time.Hour), time.Now())
		srv.Close()
		require.NoError(t, err)
		if hasCount {
			require.EqualValues(t, 12, n)
			require.Equal(t, []string{"/api/v1/search/count?limit="}, asked)
		} else {
			require.EqualValues(t, 34, n)
			require.Equal(t, []string{"/api/v1/search/count?limit=", "/api/v1/search?limit=1"}, asked)
		}
	}
	_, err := trollySink{options{apiURL: "http://127.0.0.1:1", readKey: "rk"}}.count(time.Now(), time.Now())
	require.ErrorContains(t, err, "search:")
}
