package nats

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// trims reports whether the streams are trimmed by trim rather than kept by interest:
// on the embedded server only, whose version is the one built in. Servers before 2.10
// forget every unacknowledged delivery of a consumer when its stream is purged, even
// those above the purged range, so a cluster keeps interest retention.
func (q *Queue) trims() bool { return q.srv != nil }

// trim removes from topic's stream what every group of it has acknowledged: the
// messages below the lowest ack floor of its consumers. The streams keep messages by
// limits, not by interest, because the server's file store writes and syncs a record
// for each message that interest removes, one sync per acknowledgement; a purge below
// the floor is one operation for all of them. A stream without consumers keeps all.
func (q *Queue) trim(ctx context.Context, topic string, s jetstream.Stream) error {
	first := s.CachedInfo().State.FirstSeq
	floor, groups := uint64(0), 0
	list := s.ListConsumers(ctx)
	for info := range list.Info() {
		if groups == 0 || info.AckFloor.Stream < floor {
			floor = info.AckFloor.Stream
		}
		groups++
	}
	if err := list.Err(); err != nil {
		return fmt.Errorf("list the groups of %s: %w", q.streamName(topic), err)
	}
	if groups == 0 || floor < first {
		return nil
	}
	req, err := json.Marshal(struct {
		Seq uint64 `json:"seq"`
	}{floor + 1})
	if err != nil {
		return err
	}
	resp, err := q.nc.RequestWithContext(ctx, "$JS.API.STREAM.PURGE."+q.streamName(topic), req)
	if err != nil {
		return fmt.Errorf("trim %s: %w", q.streamName(topic), err)
	}
	var out struct {
		Error  *jetstream.APIError `json:"error"`
		Purged uint64              `json:"purged"`
	}
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		return fmt.Errorf("trim %s: an answer that is not JSON: %w", q.streamName(topic), err)
	}
	if out.Error != nil {
		return fmt.Errorf("trim %s: %w", q.streamName(topic), out.Error)
	}
	q.m.Trimmed.WithLabelValues(topic).Add(float64(out.Purged))
	return nil
}
