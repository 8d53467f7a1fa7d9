package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts stops the servers a run started when the run is interrupted (Ctrl-C,
// SIGTERM, SIGHUP, or its output piped into a reader that went away), before it exits, so
// that none is left running on the machine.
type interrupts struct {
	mu    sync.Mutex
	stops []func()
	ch    chan os.Signal
	exit  func(code int) // os.Exit
}

func catchInterrupts() *interrupts {
	return catchInterruptsThen(os.Exit)
}

func catchInterruptsThen(exit func(code int)) *interrupts {
	in := &interrupts{ch: make(chan os.Signal, 1), exit: exit}
	signal.Notify(in.ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	go func() {
		sig, ok := <-in.ch
		if !ok {
			return
		}
		in.mu.Lock() // held until the exit: no stop is added or run twice
		for i := len(in.stops) - 1; i >= 0; i-- {
			in.stops[i]()
		}
		fmt.Fprintln(os.Stderr, "trolly-load: stopped by", sig)
		in.exit(1)
	}()
	return in
}

// add registers a stop, run on an interrupt after those added later.
func (in *interrupts) add(stop func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.stops = append(in.stops, stop)
}

// release stops catching: the run ended on its own.
func (in *interrupts) release() {
	signal.Stop(in.ch)
	close(in.ch)
}
