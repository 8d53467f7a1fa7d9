//go:build !unix

package nats

import (
	"fmt"
	"os"
)

// lockDir creates dir; other systems than Unix get no lock against a second server.
func lockDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create the queue's store: %w", err)
	}
	return nil, nil
}
