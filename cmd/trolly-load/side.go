package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// side is what one system of the side-by-side did with the load and the questions.
type side struct {
	rep      report        // lines, bytes, retries, accepted, searchable
	cpu      time.Duration // server CPU from the load's start until all were searchable
	rss      int64         // peak RSS (VmHWM) once all were searchable
	rssAfter int64         // and after the questions
	disk     int64         // search data, once its size held still
	archive  int64         // Trolly's archive, counted apart; -1 where there is none
	answers  []answer
}

// subject is how to load, measure and ask one system.
type subject struct {
	name            string
	bodies          [][]byte
	recv            receiver
	pid             int
	search, archive string // directories; archive is empty where there is none
	api             api
	ask             func(a api, q question, from, to time.Time, runs int) answer
	admin           string // Trolly's admin URL, to profile its answers into o.queryProfiles
}

// sideBySide loads the same generated events into VictoriaLogs (as JSON lines), then
// into a spawned `trolly all` (as raw lines), asks both the same questions, in turn, and
// prints their figures side by side.
func sideBySide(o options) error {
	version, err := victoriaLogsBinary(o.victorialogs)
	if err != nil {
		return err
	}
	c, err := makeCorpus(o.batch, time.Now())
	if err != nil {
		return err
	}
	qs := questions(c, o.lines, o.batch)
	fmt.Printf("%d lines, %d a request, %d requests in flight; each query asked %d times (median); %s\n",
		o.lines, o.batch, o.concurrency, o.queryRuns, version)

	in := catchInterrupts()
	defer in.release()
	v, err := startVictoriaLogs(o.victorialogs)
	if err != nil {
		return err
	}
	defer v.kill()
	in.add(v.kill)
	vs := subject{
		name: "VictoriaLogs", bodies: c.json, recv: v, pid: v.pid(), search: v.storage,
		api: api{base: v.url, from: "start", to: "end", client: &http.Client{Timeout: 5 * time.Minute}},
		ask: func(a api, q question, from, to time.Time, runs int) answer { return ask(a, q.vlogs, from, to, runs) },
	}
	vl, err := measure(o, c, vs)
	if err != nil {
		return fmt.Errorf("victorialogs: %w", err)
	}

	queueYAML, err := embeddedQueue(o.queue)
	if err != nil {
		return err
	}
	srv, err := spawn(o.spawn, queueYAML+"\n"+o.extraYAML, nil, benchTenant{id: "bench"})
	if err != nil {
		return err
	}
	defer srv.kill()
	in.add(srv.kill)
	o.ingestURL, o.apiURL, o.ingestKey, o.readKey, o.stream = srv.ingestURL, srv.apiURL, benchIngestKey, benchReadKey, "web"
	ts := subject{
		name: "Trolly", bodies: c.raw, recv: trollySink{o}, pid: srv.procs[0].cmd.Process.Pid,
		search: filepath.Join(srv.dataDir, "search"), archive: filepath.Join(srv.dataDir, "archive"),
		api: api{base: srv.apiURL, auth: "Bearer " + benchReadKey, from: "from", to: "to", client: &http.Client{Timeout: 5 * time.Minute}},
		ask: askTrolly, admin: "http://" + srv.procs[0].admin,
	}
	tr, err := measure(o, c, ts)
	if err != nil {
		return fmt.Errorf("trolly: %w", err)
	}

	from, to := c.made.Add(-time.Hour-time.Minute), c.made.Add(time.Minute)
	answers := askInTurn(qs, []subject{ts, vs}, from, to, o.queryRuns)
	tr.answers, vl.answers = answers[0], answers[1]
	if o.queryProfiles != "" {
		for i, q := range qs {
			if err := profileAnswer(ts, q, from, to, filepath.Join(o.queryProfiles, fmt.Sprintf("trolly-%d.pprof", i+1))); err != nil {
				return err
			}
		}
		// What holds the memory once all is loaded and asked.
		if err := saveProfile(ts.admin+"/debug/pprof/heap", filepath.Join(o.queryProfiles, "trolly-heap.pprof")); err != nil {
			return err
		}
	}
	for _, m := range []struct {
		sd  *side
		pid int
	}{{&tr, ts.pid}, {&vl, vs.pid}} {
		if m.sd.rssAfter, err = procPeakRSS(m.pid); err != nil {
			return err
		}
	}
	if _, err := srv.stop(); err != nil {
		return err
	}
	if err := v.stop(); err != nil {
		return err
	}
	fmt.Println()
	printSideBySide(os.Stdout, qs, tr, vl)
	return nil
}

// measure loads s and measures it once all is searchable.
func measure(o options, c *corpus, s subject) (side, error) {
	fmt.Fprintf(os.Stderr, "%s: loading %d lines\n", s.name, o.lines)
	cpu0, err := procCPU(s.pid)
	if err != nil {
		return side{}, err
	}
	var accepted atomic.Int64
	var sd side
	if sd.rep, err = loadBodies(o, s.bodies, c.made, s.recv, &accepted); err != nil {
		return sd, err
	}
	cpu1, err := procCPU(s.pid)
	if err != nil {
		return sd, err
	}
	sd.cpu = cpu1 - cpu0
	if sd.rss, err = procPeakRSS(s.pid); err != nil {
		return sd, err
	}
	fmt.Fprintf(os.Stderr, "%s: all searchable after %.1fs; waiting for its data on disk to hold still\n", s.name, sd.rep.searchable.Seconds())
	if sd.disk, err = settledSize(s.search, 15*time.Second); err != nil {
		return sd, err
	}
	sd.archive = -1
	if s.archive != "" {
		if sd.archive, _, err = dirSize(s.archive); err != nil {
			return sd, err
		}
	}
	return sd, nil
}

// askInTurn asks each question of each subject in turn, runs times, so that a change in
// the machine's load falls on all alike; answers[i][j] is subject i's to question j.
func askInTurn(qs []question, subjects []subject, from, to time.Time, runs int) [][]answer {
	answers := make([][]answer, len(subjects))
	for _, q := range qs {
		fmt.Fprintf(os.Stderr, "asking: %s\n", q.name)
		lat := make([][]time.Duration, len(subjects))
		last := make([]answer, len(subjects))
		for range runs {
			for i, s := range subjects {
				if last[i].err != nil {
					continue
				}
				last[i] = s.ask(s.api, q, from, to, 1)
				lat[i] = append(lat[i], last[i].latency)
			}
		}
		for i := range subjects {
			if last[i].err == nil {
				last[i].latency = median(lat[i])
			}
			answers[i] = append(answers[i], last[i])
		}
	}
	return answers
}

// settledSize returns the size of dir once it held still for four seconds, at least
// minWait after the call (VictoriaLogs writes its in-memory parts to files within about
// twice its -inmemoryDataFlushInterval of 5s), and at most a minute after.
func settledSize(dir string, minWait time.Duration) (int64, error) {
	start := time.Now()
	last, same := int64(-1), 0
	for {
		size, _, err := dirSize(dir)
		if err != nil {
			return 0, err
		}
		if size == last {
			same++
		} else {
			same = 0
		}
		last = size
		if (same >= 4 && time.Since(start) >= minWait) || time.Since(start) > time.Minute {
			return size, nil
		}
		time.Sleep(time.Second)
	}
}

// profileAnswer writes a 5-second CPU profile of Trolly asking q over and over to path.
func profileAnswer(s subject, q question, from, to time.Time, path string) error {
	done := make(chan error, 1)
	go func() { done <- saveProfile(s.admin+"/debug/pprof/profile?seconds=5", path) }()
	for {
		select {
		case err := <-done:
			if err == nil {
				fmt.Fprintf(os.Stderr, "%s: profile of %q in %s\n", s.name, q.name, path)
			}
			return err
		default:
			s.ask(s.api, q, from, to, 1)
		}
	}
}

// saveProfile writes the profile at url to path.
func saveProfile(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return fmt.Errorf("fetch a profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch a profile: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
