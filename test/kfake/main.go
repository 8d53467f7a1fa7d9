// Command kfake runs franz-go's in-process Kafka fake (kfake) as a process, so that
// end-to-end tests can run trolly processes with the Kafka queue where no Kafka server
// can run. kfake keeps everything in memory and forgets it on exit: it is a test
// fixture, not a product command.
//
//	go run ./test/kfake -port 0            # one broker on a free port
//	go run ./test/kfake -ports 9092,9093,9094
//
// Once the cluster answers Kafka requests it prints "ready <seed broker address>" on
// stdout; it runs until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// readyTimeout bounds the wait for the cluster to answer.
const readyTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kfake:", err)
		os.Exit(2)
	}
}

// run starts the cluster that args describe, reports it ready on stdout and runs until
// ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ports, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	c, err := kfake.NewCluster(kfake.Ports(ports...))
	if err != nil {
		return fmt.Errorf("start cluster on ports %v: %w", ports, err)
	}
	defer c.Close()
	seed := c.ListenAddrs()[0]
	if err := ping(ctx, seed); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "ready %s\n", seed); err != nil {
		return fmt.Errorf("report ready: %w", err)
	}
	<-ctx.Done()
	return nil
}

// parseFlags returns the broker ports: -ports lists them, -port gives one (0: a free one).
func parseFlags(args []string, stderr io.Writer) ([]int, error) {
	fs := flag.NewFlagSet("kfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	list := fs.String("ports", "", "comma-separated ports, one broker each (9092,9093,9094)")
	one := fs.Int("port", 9092, "port of a single broker; 0 picks a free one")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["ports"] && set["port"] {
		return nil, errors.New("-port and -ports: give one of them")
	}
	if !set["ports"] {
		if *one < 0 || *one > 65535 {
			return nil, fmt.Errorf("-port: %d is not a port", *one)
		}
		return []int{*one}, nil
	}
	var ports []int
	for _, s := range strings.Split(*list, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || p < 0 || p > 65535 {
			return nil, fmt.Errorf("-ports: %q is not a port", s)
		}
		ports = append(ports, p)
	}
	return ports, nil
}

// ping waits until the broker at seed answers a Kafka request.
func ping(ctx context.Context, seed string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(seed))
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", seed, err)
	}
	return nil
}
