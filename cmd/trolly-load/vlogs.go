package main

import (
	"bytes"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// vlogsModule is VictoriaLogs' module; the version compared is the one in go.mod, that
// of the engine Trolly embeds.
const vlogsModule = "github.com/VictoriaMetrics/VictoriaLogs"

// defaultVictoriaLogs is where `make bench-vlogs` keeps the binary it builds.
func defaultVictoriaLogs() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "trolly-vlogs", "victoria-logs")
}

// victoriaLogsBinary makes sure path is VictoriaLogs of the version in go.mod, building
// it there with `go install` when it is missing or of another version, and returns the
// module and version it was built from. Outside Trolly's module it takes path as it is.
func victoriaLogsBinary(path string) (string, error) {
	want, listErr := exec.Command("go", "list", "-m", "-f", "{{.Version}}", vlogsModule).Output()
	info, err := buildinfo.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && listErr != nil:
		return "", fmt.Errorf("%s is missing, and go list -m %s (run from Trolly's repository): %w", path, vlogsModule, listErr)
	case errors.Is(err, fs.ErrNotExist) || (err == nil && listErr == nil && info.Main.Version != strings.TrimSpace(string(want))):
		if err := buildVictoriaLogs(path, strings.TrimSpace(string(want))); err != nil {
			return "", err
		}
		if info, err = buildinfo.ReadFile(path); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
	case err != nil:
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return info.Main.Path + "@" + info.Main.Version, nil
}

func buildVictoriaLogs(path, version string) error {
	pkg := vlogsModule + "/app/victoria-logs@" + version
	if filepath.Base(path) != "victoria-logs" {
		return fmt.Errorf("%s is not %s, and go install can only make a file named victoria-logs", path, pkg)
	}
	fmt.Fprintf(os.Stderr, "building %s into %s\n", pkg, filepath.Dir(path))
	cmd := exec.Command("go", "install", pkg)
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Dir(path))
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go install %s: %w\n%s", pkg, err, msg)
	}
	return nil
}

// vlogs is a VictoriaLogs process started for a run, on a directory of its own.
type vlogs struct {
	cmd     *exec.Cmd
	dir     string
	storage string
	url     string
	logs    *bytes.Buffer
}

// startVictoriaLogs starts bin on 127.0.0.1 and a temporary storage directory, with its
// defaults otherwise, and waits until it is ready.
func startVictoriaLogs(bin string) (*vlogs, error) {
	dir, err := os.MkdirTemp("", "trolly-load-vlogs")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	v := &vlogs{dir: dir, storage: filepath.Join(dir, "data"), url: "http://" + addr, logs: &bytes.Buffer{}}
	v.cmd = exec.Command(bin, "-storageDataPath="+v.storage, "-httpListenAddr="+addr, "-retentionPeriod=7d", "-loggerLevel=WARN")
	v.cmd.Stdout, v.cmd.Stderr = v.logs, v.logs
	if err := v.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(v.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return v, nil
			}
		}
		if time.Now().After(deadline) {
			v.kill()
			return nil, fmt.Errorf("victoria-logs not ready within 60s:\n%s", v.logs)
		}
	}
}

func (v *vlogs) pid() int { return v.cmd.Process.Pid }

// stop ends the process with SIGTERM, as its own shutdown expects, and removes its data.
func (v *vlogs) stop() error {
	defer os.RemoveAll(v.dir)
	if err := v.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	if err := v.cmd.Wait(); err != nil {
		return fmt.Errorf("victoria-logs: %w\n%s", err, v.logs)
	}
	return nil
}

func (v *vlogs) kill() {
	if v.cmd.ProcessState == nil {
		_ = v.cmd.Process.Kill()
		_ = v.cmd.Wait()
	}
	os.RemoveAll(v.dir)
}

// send posts JSON lines to /insert/jsonline, message as the message and @timestamp as the
// time; no stream fields, as Trolly's engine stores them.
func (v *vlogs) send(body []byte, n int) (int, error) {
	u := v.url + "/insert/jsonline?_msg_field=message&_time_field=%40timestamp"
	for retries := 0; ; retries++ {
		resp, err := http.Post(u, "application/stream+json", bytes.NewReader(body))
		if err != nil {
			return retries, fmt.Errorf("insert: %w", err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode/100 == 2:
			return retries, nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			time.Sleep(100 * time.Millisecond)
		default:
			return retries, fmt.Errorf("insert %d lines: %s: %s", n, resp.Status, msg)
		}
	}
}

func (v *vlogs) count(from, to time.Time) (int64, error) {
	q := url.Values{"query": {"* | count() as n"}, "start": {from.UTC().Format(time.RFC3339)}, "end": {to.UTC().Format(time.RFC3339)}}
	resp, err := http.Get(v.url + "/select/logsql/query?" + q.Encode())
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("count: %s: %v %s", resp.Status, err, body)
	}
	n, err := vlogsCount(body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(n, 10, 64)
}
