package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStreamParsing ships to streams whose settings the configuration gives, through the
// catalog to the processor: sshd logins with a pipeline that drops, duplicates and routes,
// and mixed lines whose stack trace joins and whose secrets are masked.
func TestStreamParsing(t *testing.T) {
	dir := t.TempDir()
	srv, cfg := writeConfig(t, dir)
	in := start(t, "all", "--config", cfg)
	in.waitReady(t, srv.readyURLs()...)

	now := time.Now().UTC()
	from, to := now.Add(-48*time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)
	stamp := now.Add(-time.Minute).Format(time.Stamp) // "Jan _2 15:04:05", as syslog files write it
	srv.mustIngest(t, demoIngest, "auth", "", []string{
		stamp + " bastion sshd[812]: Failed password for invalid user admin from 203.0.113.50 port 52114 ssh2",
		stamp + " bastion sshd[813]: Accepted publickey for deploy from 198.51.100.7 port 40022 ssh2",
		stamp + " bastion sshd[814]: Connection closed by 198.51.100.9 port 40100 [preauth]",
	}, false)
	srv.mustIngest(t, demoIngest, "mixed", "", []string{
		"refund of order 44 to card 4111 1111 1111 1111 failed for ana@example.com",
		"java.lang.IllegalStateException: gateway closed",
		"\tat shop.Refunds.send(Refunds.java:42)",
		`{"level":"info","msg":"refund retried","order":44}`,
	}, false)
	// The failure, its copy in "alerts", the accepted login; the refund, the JSON line.
	waitTotal(t, srv, demoRead, "", from, to, 5)

	r := srv.search(t, demoRead, "event.outcome:failure", from, to, 10)
	require.Equal(t, 2, r.total(t), "the failed login and its copy")
	streams := map[string]string{}
	for _, h := range r.Hits {
		require.Equal(t, "admin", field(h.Source, "user.name"))
		require.Equal(t, "203.0.113.50", field(h.Source, "source.ip"))
		require.Equal(t, "sshd", field(h.Source, "event.dataset"))
		streams[field(h.Source, "data_stream.namespace").(string)] = h.ID
	}
	require.Len(t, streams, 2)
	require.Equal(t, streams["auth"]+"-dup1", streams["alerts"], "the copy's id follows the original's")
	require.Zero(t, srv.search(t, demoRead, "connection_closed", from, to, 10).total(t), "dropped by the pipeline")
	require.Equal(t, 1, srv.search(t, demoRead, "event.outcome:success user.name:deploy", from, to, 10).total(t))

	r = srv.search(t, demoRead, "refund", from, to, 10)
	require.Equal(t, 2, r.total(t))
	for _, h := range r.Hits {
		msg := field(h.Source, "message").(string)
		require.NotContains(t, msg, "4111")
		require.NotContains(t, msg, "ana@example.com")
		if strings.HasPrefix(msg, "refund of order") {
			require.Equal(t, "refund of order 44 to card [REDACTED] failed for [REDACTED]\n"+
				"java.lang.IllegalStateException: gateway closed\n\tat shop.Refunds.send(Refunds.java:42)", msg)
			require.Equal(t, []any{"multiline"}, field(h.Source, "log.flags"))
		} else {
			require.Equal(t, "json", field(h.Source, "event.dataset"), "auto picked json")
			require.Equal(t, "info", field(h.Source, "log.level"))
		}
	}
	require.Zero(t, srv.search(t, acmeRead, "refund", from, to, 10).total(t), "acme sees none of it")
	require.Equal(t, 0, in.stop(t))

	archived := readArchive(t, filepath.Join(dir, "data", "archive"))
	require.True(t, archived["demo"][streams["alerts"]], "the copy is archived under its stream")
	require.Len(t, archived["demo"], 5)
}
