package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// noisy runs the noisy-neighbour scenario: tenant calm ships at half its quota alone, then
// beside tenant noisy sending exactly its own quota (what it is entitled to), then beside
// noisy flooding at o.flood times its quota. Calm must lose nothing, and its latency under
// the flood should stay near the second phase; noisy must be held to its quota with 429s.
func noisy(o options, env []string) error {
	quota := o.quota
	limits := fmt.Sprintf("{ingest_bytes_per_second: %d}", quota)
	srv, err := spawn(o.spawn, "", env, benchTenant{id: "calm", limits: limits}, benchTenant{id: "noisy", limits: limits})
	if err != nil {
		return err
	}
	defer srv.kill()
	start := time.Now()
	body := makeBodies(200, start)[0]
	lines := bytes.Count(body, []byte("\n"))
	every := func(times float64) time.Duration {
		return time.Duration(float64(len(body)) / (times * float64(quota)) * float64(time.Second))
	}
	beside := func(times float64) (calm, other stats) {
		var wg sync.WaitGroup
		wg.Go(func() { other = paced(srv.ingestURL, "noisy", body, 4*every(times), o.phase, 4) })
		calm = paced(srv.ingestURL, "calm", body, every(0.5), o.phase, 1)
		wg.Wait()
		return calm, other
	}
	alone := paced(srv.ingestURL, "calm", body, every(0.5), o.phase, 1)
	fair, atQuota := beside(1)
	flooded, flood := beside(o.flood)

	fmt.Printf("noisy neighbour: quota %d KiB/s per tenant, %s per phase, requests of %d lines (%d bytes)\n",
		quota>>10, o.phase, lines, len(body))
	alone.print("calm alone", lines, o.phase)
	fair.print("calm, noisy at 1x", lines, o.phase)
	atQuota.print("  noisy at 1x", lines, o.phase)
	flooded.print(fmt.Sprintf("calm, noisy at %gx", o.flood), lines, o.phase)
	flood.print(fmt.Sprintf("  noisy at %gx", o.flood), lines, o.phase)
	var lost int
	for _, s := range []stats{alone, fair, flooded} {
		lost += s.refused + s.failed
	}
	if lost > 0 {
		return fmt.Errorf("calm had %d requests refused or failed", lost)
	}
	accepted := int64((alone.accepted + fair.accepted + flooded.accepted) * lines)
	o.readKey, o.apiURL = "calm-read-key", srv.apiURL
	if err := waitSearchable(o, accepted, start); err != nil {
		return fmt.Errorf("calm: %w", err)
	}
	fmt.Printf("calm lost nothing: %d lines accepted, %d searchable\n", accepted, accepted)
	return nil
}

type stats struct {
	accepted, refused, failed int
	latencies                 []time.Duration // of accepted requests
}

// paced sends body for tenant every `every` from each of workers goroutines for d, without
// waiting for Retry-After: a flood does not.
func paced(ingestURL, tenant string, body []byte, every, d time.Duration, workers int) stats {
	var mu sync.Mutex
	var st stats
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	var sent atomic.Int64
	for range workers {
		wg.Go(func() {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for now := time.Now(); now.Before(end); now = <-tick.C {
				sent.Add(1)
				code, lat := post(ingestURL, tenant, body)
				mu.Lock()
				switch code {
				case http.StatusAccepted:
					st.accepted++
					st.latencies = append(st.latencies, lat)
				case http.StatusTooManyRequests:
					st.refused++
				default:
					st.failed++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return st
}

func post(ingestURL, tenant string, body []byte) (int, time.Duration) {
	req, err := http.NewRequest(http.MethodPost, ingestURL+"/ingest/v1/streams/web", bytes.NewReader(body))
	if err != nil {
		return 0, 0
	}
	req.Header.Set("Authorization", "Bearer "+tenant+"-ingest-key")
	req.Header.Set("Content-Type", "text/plain")
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(began)
}

func (s stats) print(what string, lines int, d time.Duration) {
	slices.Sort(s.latencies)
	pct := func(p float64) time.Duration {
		if len(s.latencies) == 0 {
			return 0
		}
		return s.latencies[min(len(s.latencies)-1, int(p*float64(len(s.latencies))))]
	}
	total := s.accepted + s.refused + s.failed
	fmt.Printf("%-20s attempted %6.0f lines/s, accepted %6.0f lines/s (%d of %d requests), 429: %d, other failures: %d, accept latency p50 %s p99 %s\n",
		what, float64(total*lines)/d.Seconds(), float64(s.accepted*lines)/d.Seconds(), s.accepted, total,
		s.refused, s.failed, pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond))
}
