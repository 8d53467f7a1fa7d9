package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/natstest"
)

// broker is a queue the layers share across processes: the queue section of their config.
type broker struct {
	name string
	yaml string
	// url and prefix locate a RabbitMQ broker's names.
	url, prefix string
}

// needServer skips a test whose server is missing, or fails it in CI, where every server
// the tests use must run.
func needServer(t *testing.T, what, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: %s (CI=true: the server must run; see scripts/services)", what, why)
	}
	t.Skipf("%s: %s; skipped (start it with scripts/services)", what, why)
}

func randomName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// rabbitURL is the RabbitMQ of the machine, from RABBITMQ_URL or the default.
func rabbitURL() string {
	if u := os.Getenv("RABBITMQ_URL"); u != "" {
		return u
	}
	return "amqp://guest:guest@127.0.0.1:5672/"
}

// sharedRabbit is the machine's RabbitMQ, in a virtual host of the test's own that is
// deleted after it (with rabbitmqctl; without it, under a prefix of its own).
func sharedRabbit(t *testing.T) broker {
	t.Helper()
	conn, err := net.DialTimeout("tcp", "127.0.0.1:5672", 2*time.Second)
	if err != nil {
		needServer(t, "RabbitMQ at 127.0.0.1:5672", err.Error())
	}
	conn.Close()
	name := randomName("e2e-")
	if _, err := exec.LookPath("rabbitmqctl"); err != nil || os.Getenv("RABBITMQ_URL") != "" {
		return rabbitBroker(rabbitURL(), name)
	}
	for _, args := range [][]string{{"add_vhost", name}, {"set_permissions", "-p", name, "guest", ".*", ".*", ".*"}} {
		out, err := exec.Command("rabbitmqctl", append([]string{"-q"}, args...)...).CombinedOutput()
		require.NoError(t, err, "rabbitmqctl %v: %s", args, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("rabbitmqctl", "-q", "delete_vhost", name).CombinedOutput(); err != nil {
			t.Logf("delete virtual host %s: %v %s", name, err, out)
		}
	})
	return rabbitBroker("amqp://guest:guest@127.0.0.1:5672/"+name, "trolly")
}

func rabbitBroker(url, prefix string) broker {
	return broker{name: "rabbitmq", url: url, prefix: prefix,
		yaml: fmt.Sprintf("queue:\n  driver: rabbitmq\n  rabbitmq: {url: %q, prefix: %q, reconnect_max: 1s}\n", url, prefix)}
}

// sharedNATS is the machine's NATS server with JetStream (NATS_URL, else 127.0.0.1:4222),
// under a prefix of the test's own whose streams are deleted after it.
func sharedNATS(t *testing.T) broker {
	t.Helper()
	url := os.Getenv("NATS_URL")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	nc, err := natsio.Connect(url, natsio.Timeout(2*time.Second))
	if err != nil {
		needServer(t, "NATS at "+url, err.Error())
	}
	prefix := randomName("e2e_")
	t.Cleanup(func() {
		defer nc.Close()
		js, err := jetstream.New(nc)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, topic := range []string{"raw", "events", "dead"} {
			if err := js.DeleteStream(ctx, prefix+"_"+topic); err != nil {
				t.Logf("delete stream %s_%s: %v", prefix, topic, err)
			}
		}
	})
	return broker{name: "nats", yaml: fmt.Sprintf("queue:\n  driver: nats\n  nats: {url: %q, prefix: %q, ack_wait: 10s}\n", url, prefix)}
}

// kafkaFake runs the Kafka fake as a process of its own for the test.
func kafkaFake(t *testing.T) broker {
	t.Helper()
	cmd := exec.Command(kfakeBinary, "-port", "0")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ready <- addr
			}
		}
	}()
	select {
	case addr := <-ready:
		return broker{name: "kafka", yaml: fmt.Sprintf("queue:\n  driver: kafka\n  kafka: {brokers: [%q], prefix: %q, partitions: 8, session_timeout: 6s, heartbeat_interval: 500ms}\n", addr, randomName("e2e-"))}
	case <-time.After(30 * time.Second):
		t.Fatal("kfake not ready within 30s")
		return broker{}
	}
}

// rabbitNode is a RabbitMQ node of the test's own, which it may stop and start again.
type rabbitNode struct {
	dir, name string
	port      int
	env       []string
	cmd       *exec.Cmd
}

// startRabbitNode starts a private node on a free port, with its data under a temporary
// directory that survives its restarts.
func startRabbitNode(t *testing.T) *rabbitNode {
	t.Helper()
	if _, err := exec.LookPath("rabbitmq-server"); err != nil {
		needServer(t, "rabbitmq-server", "not installed (Debian: apt-get install rabbitmq-server)")
	}
	u, err := user.Lookup("rabbitmq")
	if err != nil || os.Geteuid() != 0 {
		needServer(t, "a private RabbitMQ node", "needs root and the rabbitmq user of Debian's package")
	}
	n := &rabbitNode{dir: t.TempDir(), name: randomName("trolly-e2e-") + "@localhost", port: freePort(t)}
	dist := freePort(t)
	require.NoError(t, os.WriteFile(filepath.Join(n.dir, "rabbitmq.conf"), fmt.Appendf(nil, "listeners.tcp.local = 127.0.0.1:%d\n", n.port), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(n.dir, "env"), []byte("ERL_EPMD_ADDRESS=127.0.0.1\n"), 0o644))
	for _, d := range []string{"mnesia", "log"} {
		require.NoError(t, os.MkdirAll(filepath.Join(n.dir, d), 0o755))
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	require.NoError(t, filepath.Walk(n.dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, uid, gid)
	}))
	_ = os.Chmod(filepath.Dir(n.dir), 0o755) // the node's user walks into it
	n.env = []string{
		"RABBITMQ_NODENAME=" + n.name,
		"RABBITMQ_CONF_ENV_FILE=" + filepath.Join(n.dir, "env"),
		"RABBITMQ_CONFIG_FILE=" + filepath.Join(n.dir, "rabbitmq.conf"),
		fmt.Sprintf("RABBITMQ_DIST_PORT=%d", dist),
		"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
		"RABBITMQ_MNESIA_BASE=" + filepath.Join(n.dir, "mnesia"),
		"RABBITMQ_LOG_BASE=" + filepath.Join(n.dir, "log"),
		"RABBITMQ_PID_FILE=" + filepath.Join(n.dir, "pid"),
		"RABBITMQ_ENABLED_PLUGINS_FILE=" + filepath.Join(n.dir, "plugins"),
		"RABBITMQ_FEATURE_FLAGS_FILE=" + filepath.Join(n.dir, "feature_flags"),
	}
	n.start(t)
	t.Cleanup(func() { n.stop(t) })
	return n
}

func (n *rabbitNode) url() string { return fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", n.port) }

// start runs the node and waits until it takes connections.
func (n *rabbitNode) start(t *testing.T) {
	t.Helper()
	n.cmd = exec.Command("rabbitmq-server")
	n.cmd.Env = append(os.Environ(), n.env...)
	logs := &syncBuffer{}
	n.cmd.Stdout, n.cmd.Stderr = logs, logs
	require.NoError(t, n.cmd.Start())
	deadline := time.Now().Add(90 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", n.port), time.Second)
		if err == nil {
			conn.Close()
			return
		}
		require.True(t, time.Now().Before(deadline), "private RabbitMQ node not up within 90s:\n%s", logs.String())
		time.Sleep(250 * time.Millisecond)
	}
}

// stop shuts the node down cleanly, as an operator's restart does.
func (n *rabbitNode) stop(t *testing.T) {
	t.Helper()
	if n.cmd == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "rabbitmqctl", "-n", n.name, "stop").CombinedOutput()
	if err != nil {
		t.Logf("rabbitmqctl stop: %v %s; killing the node", err, out)
		_ = n.cmd.Process.Kill()
	}
	_ = n.cmd.Wait()
	n.cmd = nil
}

// natsNode is a nats-server process of the test's own, which it may stop and start again
// on the same port and store.
type natsNode struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	exited   chan struct{}
	logs     *syncBuffer
}

// startNATSNode starts a private nats-server (see natstest.Binary) with JetStream on a
// free port, its store and log under a temporary directory that survives its restarts.
func startNATSNode(t *testing.T) *natsNode {
	t.Helper()
	n := &natsNode{bin: natstest.Binary(t), dir: t.TempDir(), port: freePort(t)}
	n.start(t)
	t.Cleanup(func() {
		if n.cmd != nil {
			_ = n.cmd.Process.Kill()
			<-n.exited
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(n.dir, "nats-server.log"))
			t.Logf("nats-server log:\n%s%s", log, n.logs.String())
		}
	})
	return n
}

func (n *natsNode) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.port) }

func (n *natsNode) broker() broker {
	return broker{name: "nats", yaml: fmt.Sprintf("queue:\n  driver: nats\n  nats: {url: %q, ack_wait: 10s}\n", n.url())}
}

// start runs the server and waits until it takes connections.
func (n *natsNode) start(t *testing.T) {
	t.Helper()
	n.cmd = exec.Command(n.bin, "-js", "-a", "127.0.0.1", "-p", strconv.Itoa(n.port),
		"-sd", filepath.Join(n.dir, "store"), "-l", filepath.Join(n.dir, "nats-server.log"))
	n.logs = &syncBuffer{}
	n.cmd.Stdout, n.cmd.Stderr = n.logs, n.logs
	require.NoError(t, n.cmd.Start())
	n.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) {
		_ = cmd.Wait()
		close(exited)
	}(n.cmd, n.exited)
	deadline := time.Now().Add(60 * time.Second)
	for {
		nc, err := natsio.Connect(n.url(), natsio.Timeout(time.Second))
		if err == nil {
			nc.Close()
			return
		}
		select {
		case <-n.exited:
			t.Fatalf("nats-server exited at start: %s", n.logs.String())
		default:
		}
		require.True(t, time.Now().Before(deadline), "private nats-server not up within 60s: %v", err)
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the server with SIGTERM, as an operator's restart does, and waits for its exit.
func (n *natsNode) stop(t *testing.T) {
	t.Helper()
	if n.cmd == nil {
		return
	}
	require.NoError(t, n.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-n.exited:
	case <-time.After(30 * time.Second):
		t.Errorf("nats-server did not exit within 30s of SIGTERM; killing it")
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
	n.cmd = nil
}
