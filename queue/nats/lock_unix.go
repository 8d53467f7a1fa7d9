//go:build unix

package nats

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive lock on dir for the embedded server: a NATS server does not
// lock its store, and two on one store would corrupt it. The lock ends with the process.
func lockDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create the queue's store: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "trolly.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the queue's store: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("the queue's store %s is in use by another process (a running `trolly all`?)", dir)
		}
		return nil, fmt.Errorf("lock the queue's store: %w", err)
	}
	return f, nil
}
