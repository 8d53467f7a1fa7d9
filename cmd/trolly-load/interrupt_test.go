package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// An interrupt runs the stops, the last added first, then exits with 1.
func TestInterruptsStopServers(t *testing.T) {
	exited := make(chan int, 1)
	var stopped []string
	in := catchInterruptsThen(func(code int) { exited <- code })
	in.add(func() { stopped = append(stopped, "victorialogs") })
	in.add(func() { stopped = append(stopped, "trolly") })
	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGHUP))
	select {
	case code := <-exited:
		require.Equal(t, 1, code)
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGHUP")
	}
	require.Equal(t, []string{"trolly", "victorialogs"}, stopped)
	in.release()
}
