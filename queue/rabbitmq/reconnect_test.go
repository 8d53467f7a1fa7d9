package rabbitmq_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/rabbitmq"
)

// TestReconnect cuts the network connection under a queue: Publish fails at once while it
// reconnects, then works again, consumers resume, and nothing confirmed is lost.
func TestReconnect(t *testing.T) {
	for _, queueType := range []string{rabbitmq.QueueClassic, rabbitmq.QueueQuorum} {
		t.Run(queueType, func(t *testing.T) {
			cfg := testConfig(t, queueType)
			// Long enough for the Publish below to run before the first attempt.
			cfg.ReconnectMin, cfg.ReconnectMax = time.Second, time.Second
			reg := prometheus.NewRegistry()
			q := open(t, cfg, rabbitmq.Options{Registerer: reg})
			checkOutage(t, q, reg, q.CutConnection)
		})
	}
}

// TestServerClosesConnection has the broker close the queue's connection, as an operator
// or a broker restart would.
func TestServerClosesConnection(t *testing.T) {
	ctl, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		t.Skip("rabbitmqctl is not installed")
	}
	cfg := testConfig(t, rabbitmq.QueueClassic)
	cfg.ReconnectMin, cfg.ReconnectMax = time.Second, time.Second
	reg := prometheus.NewRegistry()
	q := open(t, cfg, rabbitmq.Options{Registerer: reg})
	pid := connectionPid(t, ctl, cfg.ConnectionName)
	checkOutage(t, q, reg, func() {
		out, err := exec.Command(ctl, "close_connection", pid, "test closes the connection").CombinedOutput()
		require.NoError(t, err, "%s", out)
	})
}

// connectionPid finds the broker's id of the connection named name, skipping the test
// when rabbitmqctl cannot list connections (not root, or another node).
func connectionPid(t *testing.T, ctl, name string) string {
	t.Helper()
	out, err := exec.Command(ctl, "list_connections", "pid", "client_properties", "--silent").Output()
	if err != nil {
		t.Skipf("rabbitmqctl list_connections: %v", err)
	}
	// Lines are "<pid>\t<client properties as Erlang terms>".
	want := fmt.Sprintf(`{"connection_name","%s"}`, name)
	for line := range strings.Lines(string(out)) {
		if pid, props, ok := strings.Cut(line, "\t"); ok && strings.Contains(props, want) {
			return pid
		}
	}
	require.FailNow(t, "connection not listed", "%s in %s", name, out)
	return ""
}

// checkOutage runs breakConnection between a consumer's receipt of two deliveries and
// their acknowledgement, and checks every message comes through.
func checkOutage(t *testing.T, q *rabbitmq.Queue, reg *prometheus.Registry, breakConnection func()) {
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer))
	before := keyed("acme/web", 5)
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, before...))
	c := subscribe(t, q, queue.TopicRaw, queue.GroupProcessor)
	held := receiveAll(t, c, 2)

	breakConnection()
	err := q.Publish(ctx, queue.TopicRaw, keyed("acme/web", 6)[5])
	require.ErrorIs(t, err, rabbitmq.ErrUnavailable, "Publish fails at once during the outage")
	require.Error(t, held[0].Ack(), "its channel is gone")

	after := keyed("acme/api", 3)
	publishEventually(t, q, queue.TopicRaw, after...)
	events := keyed("acme/events", 2)
	publishEventually(t, q, queue.TopicEvents, events...)

	want := append(messageBodies(before), messageBodies(after)...)
	got := receiveAck(t, c, len(want))
	require.ElementsMatch(t, want, bodies(got), "every confirmed message, once")
	for _, d := range got {
		if string(d.Body) == string(held[0].Body) || string(d.Body) == string(held[1].Body) {
			require.Equal(t, 2, d.Attempt, "%s was delivered before the outage", d.Body)
		}
	}
	receiveNothing(t, c)
	ec := subscribe(t, q, queue.TopicEvents, queue.GroupIndexer)
	require.ElementsMatch(t, messageBodies(events), bodies(receiveAck(t, ec, len(events))))
	require.Equal(t, 1.0, sum(t, reg, "trolly_queue_reconnects_total"))
	require.Equal(t, 1.0, sum(t, reg, "trolly_queue_connected"))
}

// publishEventually retries Publish while the queue reconnects.
func publishEventually(t *testing.T, q queue.Queue, topic string, msgs ...queue.Message) {
	t.Helper()
	ctx := timeout(t)
	for {
		err := q.Publish(ctx, topic, msgs...)
		if err == nil {
			return
		}
		require.ErrorIs(t, err, rabbitmq.ErrUnavailable)
		select {
		case <-ctx.Done():
			require.FailNow(t, "the queue did not reconnect", "%v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
