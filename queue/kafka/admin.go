package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/trolly-logs/trolly/queue"
)

// adminRetryWait is the pause between attempts while a new topic propagates.
const adminRetryWait = 100 * time.Millisecond

// ensureTopic creates ktopic with the given partition count when it is missing and topics
// may be created, and otherwise checks that it exists.
func (q *Queue) ensureTopic(ctx context.Context, ktopic string, partitions int32) error {
	create := q.cfg.createTopics()
	missing := queue.ErrUnknownTopic
	if create {
		missing = errMissingTopic
		maxBytes := strconv.Itoa(q.cfg.MaxMessageBytes + batchHeadroom)
		configs := map[string]*string{"max.message.bytes": &maxBytes}
		_, err := q.adm.CreateTopic(ctx, partitions, int16(q.cfg.ReplicationFactor), configs, ktopic)
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", ktopic, err)
		}
	}
	return retry(ctx, func() error {
		// Asked of the broker, not of the client's metadata cache, which may still
		// remember the topic as missing.
		req := kmsg.NewPtrMetadataRequest()
		req.AllowAutoTopicCreation = false // a broker's auto-creation would ignore our settings
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(ktopic)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, q.cl)
		if err != nil {
			return fmt.Errorf("describe topic %s: %w", ktopic, err)
		}
		if len(resp.Topics) != 1 {
			return fmt.Errorf("describe topic %s: %d topics in the answer", ktopic, len(resp.Topics))
		}
		switch err := kerr.ErrorForCode(resp.Topics[0].ErrorCode); {
		case errors.Is(err, kerr.UnknownTopicOrPartition):
			return fmt.Errorf("topic %s does not exist (create_topics: %t): %w", ktopic, create, missing)
		case err != nil:
			return fmt.Errorf("describe topic %s: %w", ktopic, err)
		}
		return nil
	})
}

// errMissingTopic is retried for a while: a topic just created may take a moment to show.
var errMissingTopic = errors.New("missing topic")

// ensureGroup gives kgroup a committed offset, at the current end, on every partition of
// ktopic that has none, so that it keeps everything published from now on even before a
// consumer joins. Offsets the group already has are left alone.
func (q *Queue) ensureGroup(ctx context.Context, ktopic, kgroup string) error {
	var missing kadm.Offsets
	err := retry(ctx, func() error {
		committed, err := q.committed(ctx, kgroup, ktopic)
		if err != nil {
			return err
		}
		ends, err := q.adm.ListEndOffsets(ctx, ktopic)
		if err != nil {
			return fmt.Errorf("list end offsets of %s: %w", ktopic, err)
		}
		if err := ends.Error(); err != nil {
			return fmt.Errorf("list end offsets of %s: %w", ktopic, err)
		}
		missing = kadm.Offsets{}
		ends.Each(func(o kadm.ListedOffset) {
			if c, ok := committed.Lookup(o.Topic, o.Partition); !ok || c.At < 0 {
				missing.AddOffset(o.Topic, o.Partition, o.Offset, -1)
			}
		})
		return nil
	})
	if err != nil || len(missing) == 0 {
		return err
	}
	resps, err := q.adm.CommitOffsets(ctx, kgroup, missing)
	if err == nil {
		err = resps.Error()
	}
	switch {
	case errors.Is(err, kerr.UnknownMemberID), errors.Is(err, kerr.IllegalGeneration),
		errors.Is(err, kerr.RebalanceInProgress):
		// The group has live members: they read partitions without a commit from the
		// start (see groupOptions), so nothing is lost.
		q.log.Info("group has members, leaving its missing offsets to them", "group", kgroup, "err", err)
		return nil
	case err != nil:
		return fmt.Errorf("commit initial offsets of group %s: %w", kgroup, err)
	}
	return nil
}

// committed returns the offsets kgroup committed on ktopic, -1 for partitions without
// one; a group that does not exist has none.
func (q *Queue) committed(ctx context.Context, kgroup, ktopic string) (kadm.OffsetResponses, error) {
	committed, err := q.adm.FetchOffsetsForTopics(ctx, kgroup, ktopic)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return kadm.OffsetResponses{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", kgroup, err)
	}
	return committed, nil
}

// groupDeclared reports whether kgroup has a committed offset on ktopic, which Declare
// gives every group.
func (q *Queue) groupDeclared(ctx context.Context, ktopic, kgroup string) (bool, error) {
	resps, err := q.adm.FetchOffsets(ctx, kgroup)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("fetch offsets of group %s: %w", kgroup, err)
	}
	found := false
	resps.Each(func(o kadm.OffsetResponse) {
		if o.Topic == ktopic && o.Err == nil && o.At >= 0 {
			found = true
		}
	})
	return found, nil
}

// uncommitted returns, per kafka group, how many records of ktopic it has not committed
// (a partition without a commit counts from its start), and the end offsets it read.
func (q *Queue) uncommitted(ctx context.Context, ktopic string, kgroups []string) (map[string]int64, map[int32]int64, error) {
	starts, err := q.adm.ListStartOffsets(ctx, ktopic)
	if err == nil {
		err = starts.Error()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list start offsets of %s: %w", ktopic, err)
	}
	ends, err := q.adm.ListEndOffsets(ctx, ktopic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list end offsets of %s: %w", ktopic, err)
	}
	endOf := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { endOf[o.Partition] = o.Offset })
	fetched := q.adm.FetchManyOffsets(ctx, kgroups...)
	lag := make(map[string]int64, len(kgroups))
	for _, g := range kgroups {
		r, ok := fetched[g]
		if !ok {
			return nil, nil, fmt.Errorf("fetch offsets of group %s: missing from the answer", g)
		}
		if r.Err != nil && !errors.Is(r.Err, kerr.GroupIDNotFound) {
			return nil, nil, fmt.Errorf("fetch offsets of group %s: %w", g, r.Err)
		}
		var n int64
		ends.Each(func(end kadm.ListedOffset) {
			from := int64(0)
			if s, ok := starts.Lookup(end.Topic, end.Partition); ok {
				from = s.Offset
			}
			if c, ok := r.Fetched.Lookup(end.Topic, end.Partition); ok && c.Err == nil && c.At > from {
				from = c.At
			}
			n += max(0, end.Offset-from)
		})
		lag[g] = n
	}
	return lag, endOf, nil
}

// retry runs fn until it succeeds, ctx ends, or it fails with an error that waiting
// cannot fix.
func retry(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		if err == nil || !retriable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (after: %w)", ctx.Err(), err)
		case <-time.After(adminRetryWait):
		}
	}
}

func retriable(err error) bool {
	return errors.Is(err, errMissingTopic) || kerr.IsRetriable(err) ||
		errors.Is(err, kerr.UnknownTopicOrPartition) || errors.Is(err, kerr.CoordinatorLoadInProgress)
}
