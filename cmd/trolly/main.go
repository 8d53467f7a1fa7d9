// Command trolly runs Trolly: `trolly all` (the default) runs every layer in one process;
// `trolly gateway|processor|indexer|archiver|api` runs one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: trolly [command] [flags]

commands:
  all         run every layer in one process (the default)
  gateway     run the ingest gateway
  processor   run the processor (raw batches -> ECS events)
  indexer     run the search indexer
  archiver    run the archiver
  api         run the tenant API
  hash-key    print the stored form of an API key: hash-key <key> | hash-key - (key on stdin) | hash-key --new
  dead-letters  read (and remove) the queue's dead letters as JSON lines, or --requeue them: [--config FILE] [--max N] [--requeue]
  admin       manage plans, tenants, users, streams, keys and certificates in the catalog: admin <resource> <verb> (see trolly admin)
  version     print the version

flags of the run commands:
  --config FILE     YAML configuration (unknown keys are errors); TROLLY_* variables override it
  --data-dir DIR    where embedded stores live (default ./data, or data_dir of the config)
`

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "all"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "hash-key":
		return hashKey(args, stdin, stdout, stderr)
	case "dead-letters":
		return deadLetters(ctx, args, environ, stdout, stderr)
	case "admin":
		return admin(ctx, args, environ, stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "trolly", version())
		return exitOK
	case "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if _, ok := targets[cmd]; !ok {
		fmt.Fprintf(stderr, "trolly: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	fs := flag.NewFlagSet("trolly "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := fs.String("config", "", "")
	dataDir := fs.String("data-dir", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trolly %s: unexpected argument %q\n", cmd, fs.Arg(0))
		return exitUsage
	}
	cfg, err := loadConfig(*configPath, *dataDir, environ)
	if err != nil {
		fmt.Fprintf(stderr, "trolly: %v\n", err)
		return exitUsage
	}
	return serve(ctx, cmd, cfg, stderr)
}
