package nats

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/queue"
)

// syncer makes what the embedded server acknowledged durable, one sync shared by every
// Publish that is waiting (group commit).
//
// The server's own "sync always" syncs each message on its own, so a topic takes about
// one message per sync whatever the number of publishers. Instead, the embedded server
// runs without it: a single-replica file store writes each message to its block file
// before acknowledging it, and Publish then waits for a round of the syncer that began
// after the acknowledgement. A round syncs the topics' message blocks that changed since
// the last round, and their directory when blocks came or went. The server still syncs
// all its files (indexes, consumer state) every two minutes; what they lose in a crash
// of the machine, it rebuilds from the blocks, or delivers again.
type syncer struct {
	q    *Queue
	reqs chan syncReq

	// Owned by run.
	files map[string]*blockFile // by path
	dirs  map[string]string     // a topic's block directory, by topic: its listing when last synced
}

type syncReq struct {
	topic string
	done  chan error
}

type blockFile struct {
	f       *os.File
	info    os.FileInfo // of the open file, to notice a new one at its path
	size    int64
	modTime time.Time
}

func newSyncer(q *Queue) *syncer {
	s := &syncer{q: q, reqs: make(chan syncReq, 1024), files: map[string]*blockFile{}, dirs: map[string]string{}}
	q.loops.Go(s.run)
	return s
}

// wait returns once a round that began after the call synced topic's files.
func (s *syncer) wait(ctx context.Context, topic string) error {
	r := syncReq{topic: topic, done: make(chan error, 1)}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.q.closed:
		return queue.ErrClosed
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-s.q.closed:
		return queue.ErrClosed
	}
}

func (s *syncer) run() {
	defer s.closeFiles()
	for {
		var first syncReq
		select {
		case first = <-s.reqs:
		case <-s.q.closed:
			return
		}
		waiting := []syncReq{first}
	gather:
		for {
			select {
			case r := <-s.reqs:
				waiting = append(waiting, r)
			default:
				break gather
			}
		}
		topics := map[string]bool{}
		for _, r := range waiting {
			topics[r.topic] = true
		}
		start := time.Now()
		errs := map[string]error{}
		for t := range topics {
			errs[t] = s.syncTopic(t)
		}
		s.q.m.Syncs.Observe(time.Since(start).Seconds())
		s.q.m.SyncWaiters.Observe(float64(len(waiting)))
		for _, r := range waiting {
			r.done <- errs[r.topic]
		}
	}
}

// blockDir is where the embedded server keeps topic's message blocks.
func (s *syncer) blockDir(topic string) string {
	return filepath.Join(s.q.cfg.Dir, "jetstream", "$G", "streams", s.q.streamName(topic), "msgs")
}

// syncTopic syncs the blocks of topic that changed since the last round, and the
// directory when its listing changed.
func (s *syncer) syncTopic(topic string) error {
	dir := s.blockDir(topic)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", s.q.streamName(topic), err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".blk") {
			continue
		}
		names = append(names, e.Name())
		path := filepath.Join(dir, e.Name())
		if err := s.syncBlock(path); err != nil {
			return fmt.Errorf("sync %s: %w", s.q.streamName(topic), err)
		}
	}
	listing := strings.Join(names, "/")
	if listing != s.dirs[topic] {
		if err := syncPath(dir); err != nil {
			return fmt.Errorf("sync %s: %w", s.q.streamName(topic), err)
		}
		s.dirs[topic] = listing
		s.forgetGone(dir, names)
	}
	return nil
}

// syncBlock syncs one block file if it changed since its last sync. The server rewrites
// some blocks whole (a compaction) into a new file renamed over the old one: a new file
// at the path is opened anew.
func (s *syncer) syncBlock(path string) error {
	st, err := os.Stat(path)
	if os.IsNotExist(err) {
		return nil // removed meanwhile by a trim
	}
	if err != nil {
		return err
	}
	b := s.files[path]
	if b != nil && !os.SameFile(st, b.info) {
		_ = b.f.Close()
		delete(s.files, path)
		b = nil
	}
	if b == nil {
		f, err := os.Open(path)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if st, err = f.Stat(); err != nil {
			_ = f.Close()
			return err
		}
		b = &blockFile{f: f, info: st, size: -1}
		s.files[path] = b
	}
	if st.Size() == b.size && st.ModTime().Equal(b.modTime) {
		return nil
	}
	// Stat before the sync: a write that lands during it is synced next round.
	if err := b.f.Sync(); err != nil {
		return err
	}
	b.size, b.modTime = st.Size(), st.ModTime()
	return nil
}

// forgetGone closes the blocks of dir that are no longer listed.
func (s *syncer) forgetGone(dir string, names []string) {
	listed := map[string]bool{}
	for _, n := range names {
		listed[filepath.Join(dir, n)] = true
	}
	for path, b := range s.files {
		if filepath.Dir(path) == dir && !listed[path] {
			_ = b.f.Close()
			delete(s.files, path)
		}
	}
}

func (s *syncer) closeFiles() {
	for path, b := range s.files {
		_ = b.f.Close()
		delete(s.files, path)
	}
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
