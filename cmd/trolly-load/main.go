// Command trolly-load is Trolly's load generator: it sends generated nginx access lines over
// HTTP, waits until they are all searchable, and prints the rates, the server's CPU time per
// million lines and its peak memory. With -spawn it starts `trolly all` itself on a temporary
// directory, which is what `make bench` does, and also reports the size of the queue's
// directory and the queue's share of the server's CPU; -queue nats,memory runs the load on
// each queue in turn and prints them side by side. With -victorialogs it loads the same
// events into VictoriaLogs too, asks both systems the same queries and prints their
// figures side by side.
package main

import (
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

type options struct {
	spawn       string
	ingestURL   string
	apiURL      string
	ingestKey   string
	readKey     string
	stream      string
	lines       int
	batch       int
	concurrency int
	pid         int
	timeout     time.Duration
	scenario    string
	topology    string
	queue       string
	kfake       string
	processors  int
	quota       int64
	flood       float64
	phase       time.Duration
	profile     bool
	// The side-by-side with VictoriaLogs.
	victorialogs  string
	queryRuns     int
	queryProfiles string
	cpuProfile    string
	extraYAML     string
}

func main() {
	var o options
	flag.StringVar(&o.spawn, "spawn", "", "start this trolly binary (`trolly all`) on a temporary directory and measure it")
	flag.StringVar(&o.ingestURL, "ingest", "http://127.0.0.1:8088", "ingest base URL (without -spawn)")
	flag.StringVar(&o.apiURL, "api", "http://127.0.0.1:8080", "API base URL (without -spawn)")
	flag.StringVar(&o.ingestKey, "key", "demo-ingest-key", "ingest key (without -spawn)")
	flag.StringVar(&o.readKey, "read-key", "demo-read-key", "read key, to wait until the lines are searchable (without -spawn)")
	flag.StringVar(&o.stream, "stream", "web", "stream of source type nginx_access (without -spawn)")
	flag.IntVar(&o.lines, "lines", 1_000_000, "lines to send")
	flag.IntVar(&o.batch, "batch", 1000, "lines per request")
	flag.IntVar(&o.concurrency, "concurrency", 4, "requests in flight")
	flag.IntVar(&o.pid, "pid", 0, "server process to read CPU time and peak memory of (without -spawn)")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "give up after this long")
	flag.StringVar(&o.topology, "topology", "", "with -spawn: run each layer as processes of its own on rabbitmq (the local server) or kafka (the fake of -kfake)")
	flag.StringVar(&o.queue, "queue", "", "with -spawn and no -topology: the queue of trolly all, memory, nats (embedded, fsync always) or nats-interval (embedded, fsync interval), or a comma-separated `list` of them (nats,memory) to run the same load on each in turn and compare; empty is the binary's default")
	flag.BoolVar(&o.profile, "profile", true, "with -spawn and no -topology: profile the server's CPU from its admin listener during the run and report the queue's share")
	flag.StringVar(&o.kfake, "kfake", "bin/kfake", "the Kafka fake for -topology kafka (go build -o bin/kfake ./test/kfake)")
	flag.IntVar(&o.processors, "processors", 2, "processors of a -topology run")
	flag.StringVar(&o.scenario, "scenario", "throughput", "throughput: send -lines as fast as accepted; noisy: one tenant floods at 10x its quota beside another (needs -spawn)")
	flag.Int64Var(&o.quota, "quota", 512<<10, "noisy: each tenant's ingest quota in bytes/s")
	flag.DurationVar(&o.phase, "phase", 15*time.Second, "noisy: duration of each phase")
	flag.Float64Var(&o.flood, "flood", 10, "noisy: the flooding tenant sends this many times its quota")
	flag.StringVar(&o.victorialogs, "victorialogs", "", "with -spawn: a VictoriaLogs binary (built there with go install when missing or not of go.mod's version; make bench-vlogs uses "+defaultVictoriaLogs()+") to load the same events into, as JSON lines, one system after the other, and print both systems' figures and query latencies side by side")
	flag.IntVar(&o.queryRuns, "query-runs", 5, "with -victorialogs: how many times each query is asked (the median is reported)")
	flag.StringVar(&o.queryProfiles, "query-profiles", "", "with -victorialogs: write a 5-second CPU profile of trolly answering each query into this `directory` (trolly-<n>.pprof, n the query's row), and its heap profile at the end (trolly-heap.pprof)")
	flag.StringVar(&o.extraYAML, "config", "", "with -spawn: top-level YAML added to the spawned trolly's configuration, such as 'indexer: {workers: 2}' or 'memory_limit: 419430400'")
	flag.StringVar(&o.cpuProfile, "cpu-profile", "", "with -spawn, -profile and no -topology: write the server's CPU profile of the whole run to this `file`")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "trolly-load:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.lines <= 0 || o.batch <= 0 || o.concurrency <= 0 {
		return fmt.Errorf("-lines, -batch and -concurrency must be > 0")
	}
	queues, err := parseQueues(o.queue)
	if err != nil {
		return err
	}
	if len(queues) > 1 && (o.spawn == "" || o.topology != "" || o.scenario == "noisy") {
		return fmt.Errorf("a list of -queue needs -spawn, no -topology and the throughput scenario")
	}
	if o.victorialogs != "" {
		if o.spawn == "" || o.topology != "" || len(queues) > 1 || o.scenario != "throughput" || o.queryRuns <= 0 {
			return fmt.Errorf("-victorialogs needs -spawn, no -topology, one -queue, the throughput scenario and -query-runs > 0")
		}
		return sideBySide(o)
	}
	if o.scenario == "noisy" {
		if o.spawn == "" || o.quota <= 0 {
			return fmt.Errorf("-scenario noisy needs -spawn and a -quota > 0")
		}
		return noisy(o, nil)
	}
	var reps []report
	for i, q := range queues {
		if i > 0 {
			fmt.Println()
		}
		o.queue = q
		rep, err := runOnce(o)
		if err != nil {
			return fmt.Errorf("queue %s: %w", queueLabel(q), err)
		}
		rep.print(os.Stdout)
		reps = append(reps, rep)
	}
	if len(reps) > 1 {
		fmt.Printf("\n%d lines, %d a request, %d requests in flight, each queue on a fresh `trolly all`\n", o.lines, o.batch, o.concurrency)
		printComparison(os.Stdout, reps)
	}
	return nil
}

// runOnce measures one run: against a server started for it with -spawn, else against
// the one at the URLs given.
func runOnce(o options) (report, error) {
	var srv *spawned
	var broker *brokerRun
	if o.spawn != "" && o.topology != "" {
		var err error
		if broker, err = openBroker(o); err != nil {
			return report{}, err
		}
		defer broker.stop()
		if srv, err = spawnTopology(o.spawn, broker.yaml, o.processors, benchTenant{id: "bench"}); err != nil {
			return report{}, err
		}
		defer srv.kill()
		o.ingestURL, o.apiURL, o.ingestKey, o.readKey, o.stream = srv.ingestURL, srv.apiURL, benchIngestKey, benchReadKey, "web"
	} else if o.spawn != "" {
		queueYAML, err := embeddedQueue(o.queue)
		if err != nil {
			return report{}, err
		}
		if srv, err = spawn(o.spawn, queueYAML+"\n"+o.extraYAML, nil, benchTenant{id: "bench"}); err != nil {
			return report{}, err
		}
		defer srv.kill()
		o.ingestURL, o.apiURL, o.ingestKey, o.readKey, o.stream = srv.ingestURL, srv.apiURL, benchIngestKey, benchReadKey, "web"
	}
	cpu0, _ := procCPU(o.pid)
	var brokerCPU0 time.Duration
	if broker != nil {
		brokerCPU0 = broker.cpu()
	}
	var accepted atomic.Int64
	var disk *dirSampler
	var prof *profiler
	if srv != nil && broker == nil {
		disk = sampleDir(srv.queueDir(), 200*time.Millisecond, accepted.Load)
		defer disk.finish() // on an error; a second finish returns what the first did
		if o.profile {
			pkgs := queuePackages(o.queue)
			prof = startProfiler("http://"+srv.procs[0].admin, 1, func(fn string) bool { return inPackages(fn, pkgs) }, o.cpuProfile != "")
			defer prof.finish()
		}
	}
	rep, err := load(o, &accepted)
	if err != nil {
		return rep, err
	}
	rep.queue = o.queue
	if disk != nil {
		use := disk.finish()
		rep.disk = &use
	}
	if prof != nil {
		share := prof.finish()
		rep.share, rep.queuePkgs = &share, queuePackages(o.queue)
		if o.cpuProfile != "" {
			if err := prof.write(o.cpuProfile); err != nil {
				return rep, err
			}
		}
	}
	if broker != nil {
		rep.brokerCPU = broker.cpu() - brokerCPU0
		rep.topology = fmt.Sprintf("%s, %d processes (%d processors)", o.topology, len(srv.procs), o.processors)
	}
	switch {
	case srv != nil:
		usage, err := srv.stop()
		if err != nil {
			return rep, err
		}
		rep.cpu, rep.peakRSS = usage.cpu, usage.peakRSS
	case o.pid > 0:
		cpu1, err := procCPU(o.pid)
		if err != nil {
			return rep, err
		}
		rep.cpu = cpu1 - cpu0
		rep.peakRSS, _ = procPeakRSS(o.pid)
	}
	return rep, nil
}
