// Package natstest gives the tests that run a NATS server process of their own (to stop
// and restart it) the server binary.
package natstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// module is the server's module: the version Trolly embeds is the one the tests run.
const module = "github.com/nats-io/nats-server/v2"

var built struct {
	once sync.Once
	path string
	err  error
}

// Binary returns NATS_SERVER_BIN when set, else the nats-server of the version in go.mod,
// built once into ~/.cache/trolly-nats-server/<version>/ (from the module cache, so no
// network is needed once the module is there). Not Debian's package: its 2.9.10 loses
// acknowledged messages when it restarts under load. A build that fails fails the test.
func Binary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("NATS_SERVER_BIN"); bin != "" {
		path, err := exec.LookPath(bin)
		if err != nil {
			t.Fatalf("NATS_SERVER_BIN=%s: %v", bin, err)
		}
		return path
	}
	built.once.Do(func() { built.path, built.err = build() })
	if built.err != nil {
		t.Fatalf("build nats-server for the test: %v", built.err)
	}
	return built.path
}

func build() (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	list := exec.Command("go", "list", "-m", "-f", "{{.Version}}", module)
	list.Dir = root
	version, err := list.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", module, err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(cache, "trolly-nats-server", strings.TrimSpace(string(version)), "nats-server")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + fmt.Sprintf(".%d", os.Getpid())
	cmd := exec.Command("go", "build", "-o", tmp, module)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", module, err, out)
	}
	return path, os.Rename(tmp, path) // concurrent test binaries may race: the last rename wins, both whole
}
