package nats_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
)

// natsServer is a nats-server process of the test's own, on a port and store of its own.
type natsServer struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
}

func startServer(t *testing.T) *natsServer {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nats-server is not installed, and CI=true requires it: %v", err)
		}
		t.Skipf("nats-server is not installed (Debian: apt-get install nats-server; CI=true makes this a failure): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	s := &natsServer{bin: bin, dir: t.TempDir(), port: port}
	s.start(t)
	t.Cleanup(func() { s.kill(t) })
	return s
}

func (s *natsServer) url() string { return "nats://127.0.0.1:" + strconv.Itoa(s.port) }

func (s *natsServer) start(t *testing.T) {
	t.Helper()
	s.cmd = exec.Command(s.bin, "-js", "-a", "127.0.0.1", "-p", strconv.Itoa(s.port),
		"-sd", filepath.Join(s.dir, "store"), "-l", filepath.Join(s.dir, "server.log"))
	require.NoError(t, s.cmd.Start())
	for deadline := time.Now().Add(waitFor); ; time.Sleep(20 * time.Millisecond) {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
		if err == nil {
			conn.Close()
			return
		}
		require.True(t, time.Now().Before(deadline), "nats-server did not listen: %v", err)
	}
}

// kill stops the server with SIGKILL, as a crash would.
func (s *natsServer) kill(t *testing.T) {
	t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// TestServerRestart kills the server under a connected queue and starts it again on the
// same store: Publish and Receive may fail meanwhile, then work again on the same queue,
// and every message the server acknowledged is delivered.
func TestServerRestart(t *testing.T) {
	s := startServer(t)
	q, err := nats.New(nats.Config{URL: s.url()}, nats.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)

	before := stored(20)
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, before...))
	s.kill(t)
	s.start(t)

	after := []queue.Message{{Key: "tenant-0/stream", Body: []byte("after")}}
	for deadline := time.Now().Add(waitFor); ; time.Sleep(50 * time.Millisecond) {
		err := q.Publish(ctx, queue.TopicRaw, after...)
		if err == nil {
			break
		}
		require.True(t, time.Now().Before(deadline), "publishing after the restart: %v", err)
	}
	want := map[string]bool{}
	for _, b := range append(messageBodies(before), "after") {
		want[b] = true
	}
	for deadline := time.Now().Add(waitFor); len(want) > 0; {
		require.True(t, time.Now().Before(deadline), "not delivered after the restart: %v", want)
		ds, err := c.Receive(ctx, 10)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		for _, d := range ds {
			require.NoError(t, d.Ack())
			delete(want, string(d.Body))
		}
	}
}
