package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// binary is the trolly binary built once by TestMain, kfakeBinary the Kafka fake.
var binary, kfakeBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trolly-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "trolly")
	kfakeBinary = filepath.Join(dir, "kfake")
	for bin, pkg := range map[string]string{binary: "../../cmd/trolly", kfakeBinary: "../kfake"} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build", pkg+":", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// instance is one running process: trolly, or a shipper.
type instance struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
	err  error
	// killed says the test ended it with kill, not that it exited on its own.
	killed bool
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is the test's environment without TROLLY_ variables, which would override the
// configuration under test.
func env() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TROLLY_") {
			out = append(out, kv)
		}
	}
	return out
}

// start runs trolly with args and returns once it has started (not necessarily ready).
func start(t *testing.T, args ...string) *instance {
	t.Helper()
	return startEnv(t, nil, args...)
}

// startEnv runs trolly with args and extra environment variables.
func startEnv(t *testing.T, extra []string, args ...string) *instance {
	t.Helper()
	return startProgram(t, binary, extra, args...)
}

// startProgram runs a program (trolly, or a shipper it is tested with) for the test: the
// test's end kills it if it still runs, and prints its output if the test failed.
func startProgram(t *testing.T, program string, extra []string, args ...string) *instance {
	t.Helper()
	in := &instance{cmd: exec.Command(program, args...), logs: &syncBuffer{}, done: make(chan struct{})}
	in.cmd.Env = append(env(), extra...)
	in.cmd.Stdout, in.cmd.Stderr = in.logs, in.logs
	require.NoError(t, in.cmd.Start())
	go func() {
		in.err = in.cmd.Wait()
		close(in.done)
	}()
	t.Cleanup(func() {
		select {
		case <-in.done:
		default:
			_ = in.cmd.Process.Kill()
			<-in.done
		}
		if t.Failed() {
			t.Logf("%s %s logs:\n%s", filepath.Base(program), strings.Join(args, " "), in.logs.String())
		}
	})
	return in
}

// waitReady polls url until it answers 200, failing the test after a bound.
func (in *instance) waitReady(t *testing.T, urls ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, u := range urls {
		for {
			select {
			case <-in.done:
				t.Fatalf("trolly exited before it was ready: %v\n%s", in.err, in.logs.String())
			default:
			}
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			require.True(t, time.Now().Before(deadline), "%s not ready within 30s", u)
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// kill ends the process at once, as a crash would.
func (in *instance) kill(t *testing.T) {
	t.Helper()
	in.killed = true
	require.NoError(t, in.cmd.Process.Kill())
	<-in.done
}

// stop sends SIGTERM and returns the exit code.
func (in *instance) stop(t *testing.T) int {
	t.Helper()
	require.NoError(t, in.cmd.Process.Signal(syscall.SIGTERM))
	return in.wait(t)
}

// wait returns the exit code once the process ends, failing the test after a bound.
func (in *instance) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-in.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not exit within 60s\n%s", filepath.Base(in.cmd.Path), in.logs.String())
	}
	var exit *exec.ExitError
	if errors.As(in.err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, in.err)
	return 0
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
