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

// spawned is what a run started: `trolly all`, or each layer as processes of its own.
type spawned struct {
	procs             []*proc
	dir               string
	dataDir           string
	ingestURL, apiURL string
}

// queueDir is where the embedded NATS queue of `trolly all` keeps its store.
func (s *spawned) queueDir() string { return filepath.Join(s.dataDir, "queue") }

// proc is one started trolly process.
type proc struct {
	layer string
	cmd   *exec.Cmd
	logs  *bytes.Buffer
	admin string
}

type usage struct {
	cpu     time.Duration
	peakRSS int64 // of the largest process
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

// spawn starts `bin all` for tenants on a temporary directory, with queueYAML (a queue
// section, or empty for the default), and waits until it is ready. env adds TROLLY_
// variables.
func spawn(bin, queueYAML string, env []string, tenants ...benchTenant) (*spawned, error) {
	return spawnLayers(bin, queueYAML, env, []string{"all"}, tenants...)
}

// embeddedQueue returns the queue section of `trolly all` for a -queue name.
func embeddedQueue(name string) (string, error) {
	switch name {
	case "":
		return "", nil
	case "memory":
		return "queue: {driver: memory-test-only}", nil
	case "nats":
		return "queue: {driver: nats, nats: {embedded: true, fsync: always}}", nil
	case "nats-interval":
		return "queue: {driver: nats, nats: {embedded: true, fsync: interval}}", nil
	}
	return "", fmt.Errorf("-queue %q: want memory, nats or nats-interval", name)
}

// spawnTopology starts each layer as processes of their own on the queue that queueYAML
// configures, with the given number of processors.
func spawnTopology(bin, queueYAML string, processors int, tenants ...benchTenant) (*spawned, error) {
	layers := []string{"api", "archiver", "indexer"}
	for range processors {
		layers = append(layers, "processor")
	}
	// The indexer owns the embedded search engine and serves the API's searches.
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	engine := fmt.Sprintf("search: {embedded: {listen: %q, url: %q, token: load-search-token}}", addr, "http://"+addr)
	return spawnLayers(bin, queueYAML+"\n"+engine, nil, append(layers, "gateway"), tenants...)
}

func spawnLayers(bin, extraYAML string, env, layers []string, tenants ...benchTenant) (*spawned, error) {
	dir, err := os.MkdirTemp("", "trolly-load")
	if err != nil {
		return nil, err
	}
	var api, ingest string
	if api, err = freeAddr(); err == nil {
		ingest, err = freeAddr()
	}
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	cfg := fmt.Sprintf("data_dir: %s\nlog: {level: warn}\napi: {listen: %q}\ngateway: {listen: %q}\n%s\ntenants:",
		dataDir, api, ingest, extraYAML)
	for _, bt := range tenants {
		cfg += bt.yaml()
	}
	path := filepath.Join(dir, "trolly.yaml")
	if err := os.WriteFile(path, []byte(cfg+"\n"), 0o600); err != nil {
		return nil, err
	}
	s := &spawned{dir: dir, dataDir: dataDir, apiURL: "http://" + api, ingestURL: "http://" + ingest}
	for _, layer := range layers {
		if err := s.start(bin, layer, path, env); err != nil {
			s.kill()
			return nil, err
		}
	}
	return s, nil
}

// start runs one process of layer with an admin listener of its own, and waits until it
// is ready.
func (s *spawned) start(bin, layer, config string, env []string) error {
	admin, err := freeAddr()
	if err != nil {
		return err
	}
	p := &proc{layer: layer, cmd: exec.Command(bin, layer, "--config", config), logs: &bytes.Buffer{}, admin: admin}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.Env = append(append(withoutTrollyVars(os.Environ()), env...), "TROLLY_ADMIN_LISTEN="+admin)
	if err := p.cmd.Start(); err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + admin + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("trolly %s not ready within 60s:\n%s", layer, p.logs)
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

// stop sends SIGTERM to every process, the gateway first, waits, and returns their
// resource usage together.
func (s *spawned) stop() (usage, error) {
	var u usage
	defer os.RemoveAll(s.dir)
	for i := len(s.procs) - 1; i >= 0; i-- { // started downstream first, so stopped last
		p := s.procs[i]
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return u, err
		}
		if err := p.cmd.Wait(); err != nil {
			return u, fmt.Errorf("trolly %s: %w\n%s", p.layer, err, p.logs)
		}
		if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			u.cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			u.peakRSS = max(u.peakRSS, ru.Maxrss*1024) // Linux reports KiB
		}
	}
	return u, nil
}

func (s *spawned) kill() {
	for _, p := range s.procs {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
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
