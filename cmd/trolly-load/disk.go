package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sync"
	"time"
)

// diskUse is what a dirSampler saw of a directory during a run.
type diskUse struct {
	seen        bool  // the directory existed at some sample
	peak        int64 // bytes, the largest sample
	linesAtPeak int64 // lines accepted when the peak was sampled
	end         int64 // bytes at the last sample
	err         error // the first error other than a file vanishing mid-walk
}

// perLine is the peak in bytes per line accepted by the time it was sampled.
func (u diskUse) perLine() float64 {
	if u.linesAtPeak == 0 {
		return 0
	}
	return float64(u.peak) / float64(u.linesAtPeak)
}

// dirSampler sums a directory's file sizes every so often, until finish.
type dirSampler struct {
	dir   string
	lines func() int64 // lines accepted so far
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	use   diskUse
}

func newDirSampler(dir string, lines func() int64) *dirSampler {
	return &dirSampler{dir: dir, lines: lines, stop: make(chan struct{}), done: make(chan struct{})}
}

// sampleDir starts sampling dir every `every` in a goroutine of its own.
func sampleDir(dir string, every time.Duration, lines func() int64) *dirSampler {
	s := newDirSampler(dir, lines)
	go func() {
		defer close(s.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// finish stops the goroutine, takes a last sample (the end) and returns what was seen.
func (s *dirSampler) finish() diskUse {
	s.once.Do(func() {
		close(s.stop)
		<-s.done
		s.sample()
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.use
}

func (s *dirSampler) sample() {
	size, exists, err := dirSize(s.dir)
	lines := s.lines() // read after the walk: lines published but not yet answered are few
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if s.use.err == nil {
			s.use.err = err
		}
		return
	}
	if !exists {
		s.use.end = 0
		return
	}
	s.use.seen, s.use.end = true, size
	if size > s.use.peak {
		s.use.peak, s.use.linesAtPeak = size, lines
	}
}

// dirSize sums the sizes of the regular files under dir. Files the queue removes during
// the walk are skipped; exists is false when dir itself is absent.
func dirSize(dir string) (size int64, exists bool, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path != dir {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		size += info.Size()
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	return size, err == nil, err
}
