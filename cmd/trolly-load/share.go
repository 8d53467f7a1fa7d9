package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/pprof/profile"
)

// queuePackages are the packages whose functions count as the queue's work in a profile of
// `trolly all` on the -queue name: a path ending in "/..." takes its subpackages too.
func queuePackages(name string) []string {
	if name == "memory" {
		return []string{"github.com/trolly-logs/trolly/queue", "github.com/trolly-logs/trolly/queue/memory/..."}
	}
	return []string{
		"github.com/nats-io/nats-server/...", "github.com/nats-io/nats.go/...",
		"github.com/trolly-logs/trolly/queue", "github.com/trolly-logs/trolly/queue/nats/...",
	}
}

// inPackages reports whether the function of a profile (a linker symbol name such as
// "github.com/nats-io/nats%2ego.(*Conn).publish") belongs to one of pkgs.
func inPackages(fn string, pkgs []string) bool {
	fn = strings.ReplaceAll(fn, "%2e", ".") // the linker escapes dots of a path's last element
	for _, p := range pkgs {
		if base, ok := strings.CutSuffix(p, "/..."); ok {
			if strings.HasPrefix(fn, base+".") || strings.HasPrefix(fn, base+"/") {
				return true
			}
		} else if strings.HasPrefix(fn, p+".") {
			return true
		}
	}
	return false
}

// cpuShare is the CPU of a profile's samples whose stacks hold a function of interest, and
// of all its samples, in the unit of its cpu sample type (nanoseconds).
type cpuShare struct {
	in, all  int64
	samples  int           // taken by the profiler
	duration time.Duration // profiled
	err      error         // why there is no share, or only part of one
}

func (c cpuShare) percent() float64 {
	if c.all == 0 {
		return 0
	}
	return 100 * float64(c.in) / float64(c.all)
}

func (c *cpuShare) add(o cpuShare) {
	c.in, c.all, c.samples, c.duration = c.in+o.in, c.all+o.all, c.samples+o.samples, c.duration+o.duration
}

// shareOf counts the samples of p whose stack, inlined frames included, holds a function
// match takes.
func shareOf(p *profile.Profile, match func(fn string) bool) cpuShare {
	v, n := 0, -1 // the values of CPU time and of the count of samples, of a stack each
	for i, st := range p.SampleType {
		switch st.Type {
		case "cpu":
			v = i
		case "samples":
			n = i
		}
	}
	c := cpuShare{duration: time.Duration(p.DurationNanos)}
	for _, s := range p.Sample {
		if n >= 0 {
			c.samples += int(s.Value[n])
		} else {
			c.samples++
		}
		c.all += s.Value[v]
		if stackHolds(s, match) {
			c.in += s.Value[v]
		}
	}
	return c
}

func stackHolds(s *profile.Sample, match func(fn string) bool) bool {
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			if line.Function != nil && match(line.Function.Name) {
				return true
			}
		}
	}
	return false
}

// profiler fetches CPU profiles of a process one after another, `seconds` long each, from
// its /debug/pprof/profile until finish, at least one, and adds up their shares.
type profiler struct {
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	share cpuShare
	// profiles are kept to be merged into one when keep is set.
	keep     bool
	profiles []*profile.Profile
}

func startProfiler(adminURL string, seconds int, match func(fn string) bool, keep bool) *profiler {
	p := &profiler{stop: make(chan struct{}), done: make(chan struct{}), keep: keep}
	client := &http.Client{Timeout: time.Duration(seconds)*time.Second + 30*time.Second}
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", adminURL, seconds)
	go func() {
		defer close(p.done)
		for {
			prof, err := fetchProfile(client, url)
			if err != nil {
				p.share.err = err
				return
			}
			p.share.add(shareOf(prof, match))
			if p.keep {
				p.profiles = append(p.profiles, prof)
			}
			select {
			case <-p.stop:
				return
			default:
			}
		}
	}()
	return p
}

// finish waits for the profile under way, which ends at most `seconds` later, and returns
// the share of all of them.
func (p *profiler) finish() cpuShare {
	p.once.Do(func() {
		close(p.stop)
		<-p.done
	})
	return p.share
}

// write merges the profiles taken, when kept, into one file for go tool pprof.
func (p *profiler) write(path string) error {
	p.finish()
	if len(p.profiles) == 0 {
		return fmt.Errorf("no CPU profile to write")
	}
	merged, err := profile.Merge(p.profiles)
	if err != nil {
		return fmt.Errorf("merge the CPU profiles: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := merged.Write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fetchProfile(client *http.Client, url string) (*profile.Profile, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("fetch a CPU profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("fetch a CPU profile: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	prof, err := profile.Parse(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse a CPU profile: %w", err)
	}
	return prof, nil
}
