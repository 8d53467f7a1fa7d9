package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type report struct {
	lines, bytes int64
	retries      int64
	accepted     time.Duration // until the last line was accepted
	searchable   time.Duration // until the last line was searchable
	cpu          time.Duration // server CPU time, user + system
	peakRSS      int64         // bytes
	brokerCPU    time.Duration // of the queue's server, in a topology run
	topology     string
	queue        string    // the -queue of a spawned `trolly all`
	disk         *diskUse  // of <data_dir>/queue, with -spawn
	share        *cpuShare // the queue's share of the server's CPU, with -spawn
	queuePkgs    []string  // what counts as the queue in share
}

// receiver is a system a load is sent to: Trolly's ingest listener, or VictoriaLogs.
type receiver interface {
	// send posts one body of n lines until it is accepted, and returns how often it was
	// refused first.
	send(body []byte, n int) (retries int, err error)
	// count returns how many events are searchable in [from, to).
	count(from, to time.Time) (int64, error)
}

// load sends o.lines lines in o.batch-line requests, o.concurrency at a time, retrying
// refusals after Retry-After, then waits until search counts them all. It adds the lines
// accepted to accepted as they are.
func load(o options, accepted *atomic.Int64) (report, error) {
	made := time.Now()
	return loadBodies(o, makeBodies(o.batch, made), made, trollySink{o}, accepted)
}

// loadBodies is load of bodies, made at time made, into s: request i sends bodies[i%len].
func loadBodies(o options, bodies [][]byte, made time.Time, s receiver, accepted *atomic.Int64) (report, error) {
	start := time.Now()
	requests := (o.lines + o.batch - 1) / o.batch
	var rep report
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= requests || time.Since(start) > o.timeout {
					return
				}
				n, body := o.batch, bodies[i%len(bodies)]
				if i == requests-1 && o.lines%o.batch != 0 { // the last request carries the rest
					n = o.lines % o.batch
					body = firstLines(body, n)
				}
				retries, err := s.send(body, n)
				atomic.AddInt64(&rep.retries, int64(retries))
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				accepted.Add(int64(n))
				atomic.AddInt64(&rep.bytes, int64(len(body)))
			}
		}()
	}
	wg.Wait()
	rep.lines = accepted.Load()
	if firstErr != nil {
		return rep, firstErr
	}
	rep.accepted = time.Since(start)
	if err := waitCount(s, rep.lines, made, start, o.timeout); err != nil {
		return rep, err
	}
	rep.searchable = time.Since(start)
	return rep, nil
}

func firstLines(body []byte, n int) []byte {
	end := 0
	for range n {
		end += bytes.IndexByte(body[end:], '\n') + 1
	}
	return body[:end]
}

// trollySink sends to the ingest listener of o and counts with its search API.
type trollySink struct{ o options }

func (t trollySink) send(body []byte, n int) (int, error) {
	o := t.o
	for retries := 0; ; retries++ {
		req, err := http.NewRequest(http.MethodPost, o.ingestURL+"/ingest/v1/streams/"+o.stream, bytes.NewReader(body))
		if err != nil {
			return retries, err
		}
		req.Header.Set("Authorization", "Bearer "+o.ingestKey)
		req.Header.Set("Content-Type", "text/plain")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return retries, fmt.Errorf("ingest: %w", err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusAccepted:
			var a struct{ Accepted int }
			if err := json.Unmarshal(msg, &a); err != nil || a.Accepted != n {
				return retries, fmt.Errorf("ingest: %d of %d lines accepted: %s", a.Accepted, n, msg)
			}
			return retries, nil
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			time.Sleep(time.Duration(max(wait, 1)) * time.Second / 10) // a tenth: measure capacity, not politeness
		default:
			return retries, fmt.Errorf("ingest: %s: %s", resp.Status, msg)
		}
	}
}

// waitSearchable waits until Trolly counts want lines in the range lines made at start are in.
func waitSearchable(o options, want int64, start time.Time) error {
	return waitCount(trollySink{o}, want, start, start, o.timeout)
}

// waitCount polls s's count of the range lines made at made are in, from two hours before
// to one after, until it reaches want or timeout has passed since start.
func waitCount(s receiver, want int64, made, start time.Time, timeout time.Duration) error {
	for time.Since(start) < timeout {
		n, err := s.count(made.Add(-2*time.Hour), made.Add(time.Hour))
		if err != nil {
			return err
		}
		if n >= want {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("not all %d lines searchable within %s", want, timeout)
}

// count asks the count call, or where it is missing a search of one hit, which counts
// too but also sorts for the newest: a cost the poll should not add to the load's.
func (t trollySink) count(from, to time.Time) (int64, error) {
	v := url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}}
	n, err := t.total("/api/v1/search/count", v)
	if errors.Is(err, errMissing) {
		v.Set("limit", "1")
		n, err = t.total("/api/v1/search", v)
	}
	return n, err
}

func (t trollySink) total(path string, v url.Values) (int64, error) {
	req, err := http.NewRequest(http.MethodGet, t.o.apiURL+path+"?"+v.Encode(), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+t.o.readKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("search: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return 0, fmt.Errorf("search: %w", err)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNotImplemented:
		return 0, errMissing
	case resp.StatusCode != http.StatusOK:
		return 0, fmt.Errorf("search: %s: %s", resp.Status, body)
	}
	n, err := trollyTotal(body)
	if err != nil {
		return 0, fmt.Errorf("search: %w", err)
	}
	return strconv.ParseInt(n, 10, 64)
}

func (r report) print(w io.Writer) {
	mb := float64(r.bytes) / 1e6
	if r.topology != "" {
		fmt.Fprintf(w, "topology              %s\n", r.topology)
	}
	if r.disk != nil || r.share != nil {
		fmt.Fprintf(w, "queue                 %s\n", queueLabel(r.queue))
	}
	fmt.Fprintf(w, "lines                 %d (%.1f MB), %d refusals retried\n", r.lines, mb, r.retries)
	fmt.Fprintf(w, "accepted              %.0f lines/s, %.1f MB/s (%.1fs)\n", float64(r.lines)/r.accepted.Seconds(), mb/r.accepted.Seconds(), r.accepted.Seconds())
	fmt.Fprintf(w, "searchable            %.0f lines/s end to end (%.1fs)\n", float64(r.lines)/r.searchable.Seconds(), r.searchable.Seconds())
	if r.cpu > 0 {
		fmt.Fprintf(w, "server CPU            %.1fs, %.1fs per million lines, %.0f lines per CPU-second\n",
			r.cpu.Seconds(), r.cpu.Seconds()/(float64(r.lines)/1e6), float64(r.lines)/r.cpu.Seconds())
	}
	if r.peakRSS > 0 {
		fmt.Fprintf(w, "server peak RSS       %.0f MiB (the largest process)\n", mib(r.peakRSS))
	}
	if r.brokerCPU > 0 {
		fmt.Fprintf(w, "broker CPU            %.1fs, %.0f%% of all CPU the run used\n",
			r.brokerCPU.Seconds(), 100*r.brokerCPU.Seconds()/(r.brokerCPU+r.cpu).Seconds())
	}
	if d := r.disk; d != nil {
		switch {
		case d.err != nil:
			fmt.Fprintf(w, "queue disk            unknown: %v\n", d.err)
		case !d.seen:
			fmt.Fprintf(w, "queue disk            none (no <data_dir>/queue)\n")
		default:
			fmt.Fprintf(w, "queue disk            peak %.1f MiB, %.0f bytes per line accepted by then (%d lines); %.1f MiB at the end\n",
				mib(d.peak), d.perLine(), d.linesAtPeak, mib(d.end))
		}
	}
	if c := r.share; c != nil {
		if c.all > 0 {
			fmt.Fprintf(w, "queue CPU share       %.1f%% of the server's CPU samples (%d samples, %.0fs profiled) have a function of %s in their stack\n",
				c.percent(), c.samples, c.duration.Seconds(), strings.Join(r.queuePkgs, ", "))
		}
		if c.err != nil {
			fmt.Fprintf(w, "queue CPU share       profiling stopped: %v\n", c.err)
		}
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
