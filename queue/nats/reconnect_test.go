package nats_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/natstest"
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
	bin := natstest.Binary(t)
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

// stop ends the server with SIGTERM, as an operator's restart does, and waits for its exit.
func (s *natsServer) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	exited := make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(waitFor):
		_ = s.cmd.Process.Kill()
		<-exited
		t.Fatal("nats-server did not exit on SIGTERM")
	}
	s.cmd = nil
}

// onServer opens a queue with cfg on a server of the test's own, declares the raw topic
// and joins its processor group.
func onServer(t *testing.T, cfg nats.Config, opts nats.Options) (*natsServer, *nats.Queue, queue.Consumer) {
	t.Helper()
	s := startServer(t)
	cfg.URL = s.url()
	q, err := nats.New(cfg, opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	return s, q, c
}

// publishAgain publishes msgs until the server takes them.
func publishAgain(t *testing.T, q *nats.Queue, msgs ...queue.Message) {
	t.Helper()
	ctx := timeout(t)
	for {
		err := q.Publish(ctx, queue.TopicRaw, msgs...)
		if err == nil {
			return
		}
		require.NoError(t, ctx.Err(), "publishing after the restart: %v", err)
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReceiveWaitsForServer stops the server with SIGTERM while a Receive waits on it:
// the call must not fail (the layers would stop), and must return what is published once
// the server runs again on the same store.
func TestReceiveWaitsForServer(t *testing.T) {
	s, q, c := onServer(t, nats.Config{}, nats.Options{})
	ctx := timeout(t)

	type result struct {
		ds  []*queue.Delivery
		err error
	}
	got := make(chan result, 1)
	go func() {
		ds, err := c.Receive(ctx, 10)
		got <- result{ds, err}
	}()
	time.Sleep(500 * time.Millisecond) // the Receive waits on the server
	s.stop(t)
	select {
	case r := <-got:
		t.Fatalf("Receive returned while the server was down: %v, %d deliveries", r.err, len(r.ds))
	case <-time.After(time.Second):
	}
	s.start(t)
	publishAgain(t, q, queue.Message{Key: "tenant-0/stream", Body: []byte("after")})
	r := <-got
	require.NoError(t, r.err, "Receive across the restart")
	require.Equal(t, []string{"after"}, bodies(r.ds))
	require.NoError(t, r.ds[0].Ack())
}

// TestPublishRefusedWhileDisconnected checks that Publish fails at once while the
// connection is lost, rather than keep the messages until the server is back (the
// gateway answers 503 meanwhile), and that what it refused is not stored afterwards.
func TestPublishRefusedWhileDisconnected(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	s, q, c := onServer(t, nats.Config{PublishTimeout: time.Hour}, nats.Options{Registerer: reg})
	ctx := timeout(t)

	s.stop(t)
	for deadline := time.Now().Add(waitFor); gathered(t, reg, "trolly_queue_connected", "", "") != 0; time.Sleep(10 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "the loss of the connection is not seen")
	}
	key := "tenant-0/stream"
	err := q.Publish(ctx, queue.TopicRaw, queue.Message{Key: key, Body: []byte("refused")})
	require.Error(t, err, "publish while the server is down")
	require.NotErrorIs(t, err, context.DeadlineExceeded, "Publish waited for the server")
	require.InDelta(t, 1, gathered(t, reg, "trolly_queue_publish_errors_total", "reason", "unavailable"), 0)

	s.start(t)
	publishAgain(t, q, queue.Message{Key: key, Body: []byte("after")})
	// The messages of a key come in publish order: "refused" would come before "after".
	require.Equal(t, []string{"after"}, bodies(receiveAck(t, c, 1)))
}

// TestServerBackWithoutStore restarts the server on an empty store while a Receive
// waits: the group is gone, and Receive fails with queue.ErrUnknownTopic rather than wait
// for it forever.
func TestServerBackWithoutStore(t *testing.T) {
	s, _, c := onServer(t, nats.Config{}, nats.Options{})
	ctx := timeout(t)

	got := make(chan error, 1)
	go func() {
		_, err := c.Receive(ctx, 1)
		got <- err
	}()
	s.stop(t)
	s.dir = t.TempDir()
	s.start(t)
	require.ErrorIs(t, <-got, queue.ErrUnknownTopic)
}

// TestServerRestart kills the server under a connected queue and starts it again on the
// same store: Publish may fail meanwhile and Receive waits, then both work again on the
// same queue, and every message the server acknowledged is delivered.
func TestServerRestart(t *testing.T) {
	s, q, c := onServer(t, nats.Config{}, nats.Options{})
	ctx := timeout(t)

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
		require.NoError(t, err, "Receive waits for the server")
		for _, d := range ds {
			require.NoError(t, d.Ack())
			delete(want, string(d.Body))
		}
	}
}

// TestRestartUnderLoad stops the server with SIGTERM and starts it again on the same store
// while messages are published and received: every message Publish returned nil for must
// be delivered. (NATS 2.9.10 to 2.9.15 skip some of the messages that reached the
// consumer's waiting pulls at shutdown, when the stream has interest retention.)
func TestRestartUnderLoad(t *testing.T) {
	s, q, first := onServer(t, nats.Config{AckWait: 3 * time.Second}, nats.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	second, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)

	var mu sync.Mutex
	published, delivered := map[string]bool{}, map[string]bool{}
	for _, c := range []queue.Consumer{first, second} {
		go func() {
			for {
				ds, err := c.Receive(ctx, 10)
				if err != nil {
					return // the test's end
				}
				mu.Lock()
				for _, d := range ds {
					delivered[string(d.Body)] = true
				}
				mu.Unlock()
				for _, d := range ds {
					_ = d.Ack()
				}
			}
		}()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body := fmt.Sprintf("m-%06d", i)
			if q.Publish(ctx, queue.TopicRaw, queue.Message{Key: fmt.Sprintf("tenant-%d/stream", i%3), Body: []byte(body)}) == nil {
				mu.Lock()
				published[body] = true
				mu.Unlock()
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	time.Sleep(time.Second)
	s.stop(t)
	time.Sleep(time.Second)
	s.start(t)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	missing := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for b := range published {
			if !delivered[b] {
				out = append(out, b)
			}
		}
		slices.Sort(out)
		return out
	}
	for deadline := time.Now().Add(waitFor); len(missing()) > 0; time.Sleep(100 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "published but never delivered across the restart: %v", missing())
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d messages published and delivered across the restart", len(published))
}
