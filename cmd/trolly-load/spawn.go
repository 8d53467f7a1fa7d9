package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	benchIngestKey = "bench-ingest-key"
	benchReadKey   = "bench-read-key"
)

// benchTenant is a tenant of a spawned trolly: its keys are "<id>-ingest-key" and
// "<id>-read-key", its stream "web" is nginx_access.
type benchTenant struct {
	id string
	// limits is a YAML flow mapping of the tenant's limits, or empty.
	limits string
}

func (bt benchTenant) yaml() string {
	limits := ""
	if bt.limits != "" {
		limits = "\n    limits: " + bt.limits
	}
	return fmt.Sprintf(`
  - id: %s
    retention_days: 7%s
    keys:
      - {name: ingest, scope: ingest, hash: %q}
      - {name: read, scope: read, hash: %q}
    streams:
      - {name: web, source_type: nginx_access}`, bt.id, limits, keyHash(bt.id+"-ingest-key"), keyHash(bt.id+"-read-key"))
}

// spawned is a trolly process started for the run.
type spawned struct {
	cmd               *exec.Cmd
	dir               string
	ingestURL, apiURL string
	logs              *bytes.Buffer
}

type usage struct {
	cpu     time.Duration
	peakRSS int64
}

func keyHash(k string) string {
	s := sha256.Sum256([]byte(k))
	return "sha256:" + hex.EncodeToString(s[:])
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// spawn starts `bin all` for tenants on a temporary directory and waits until it is ready.
// env adds TROLLY_ variables (a queue other than the in-process one, say).
func spawn(bin string, env []string, tenants ...benchTenant) (*spawned, error) {
	dir, err := os.MkdirTemp("", "trolly-load")
	if err != nil {
		return nil, err
	}
	var addrs [3]string
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return nil, err
		}
	}
	cfg := fmt.Sprintf(`data_dir: %s
log: {level: warn}
admin: {listen: %q}
api: {listen: %q}
gateway: {listen: %q}
tenants:`, filepath.Join(dir, "data"), addrs[0], addrs[1], addrs[2])
	for _, bt := range tenants {
		cfg += bt.yaml()
	}
	cfg += "\n"
	path := filepath.Join(dir, "trolly.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	s := &spawned{cmd: exec.Command(bin, "all", "--config", path), dir: dir, logs: &bytes.Buffer{},
		apiURL: "http://" + addrs[1], ingestURL: "http://" + addrs[2]}
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	s.cmd.Env = append(withoutTrollyVars(os.Environ()), env...)
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + addrs[0] + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("trolly not ready within 30s:\n%s", s.logs)
		}
	}
}

func withoutTrollyVars(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "TROLLY_") {
			out = append(out, kv)
		}
	}
	return out
}

// stop sends SIGTERM, waits, and returns the process's resource usage.
func (s *spawned) stop() (usage, error) {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return usage{}, err
	}
	if err := s.cmd.Wait(); err != nil {
		return usage{}, fmt.Errorf("trolly: %w\n%s", err, s.logs)
	}
	os.RemoveAll(s.dir)
	ru, ok := s.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}, nil
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return usage{cpu: cpu, peakRSS: ru.Maxrss * 1024}, nil // Linux reports KiB
}

func (s *spawned) kill() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
	os.RemoveAll(s.dir)
}

// procCPU reads a process's user + system CPU time from /proc (clock ticks of 1/100 s).
func procCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// procPeakRSS reads VmHWM from /proc/<pid>/status.
func procPeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
