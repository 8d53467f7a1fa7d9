package kafka

import (
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/trolly-logs/trolly/queue"
)

// Headers of a dead-letter record; its key and value are the message's. Tools such as
// kcat or rpk show them as they are, so an operator can inspect a letter and send it again.
const (
	HeaderReason     = "trolly-reason"
	HeaderTopic      = "trolly-topic"
	HeaderGroup      = "trolly-group"
	HeaderKey        = "trolly-key"
	HeaderAttempt    = "trolly-attempt"
	HeaderRejectedAt = "trolly-rejected-at"
	HeaderPartition  = "trolly-partition" // of the rejected record in its topic
	HeaderOffset     = "trolly-offset"
)

func encodeDeadLetter(ktopic string, dl queue.DeadLetter, part int32, off int64) *kgo.Record {
	return &kgo.Record{
		Topic:     ktopic,
		Key:       []byte(dl.Key),
		Value:     dl.Body,
		Timestamp: dl.At,
		Headers: []kgo.RecordHeader{
			{Key: HeaderReason, Value: []byte(dl.Reason)},
			{Key: HeaderTopic, Value: []byte(dl.Topic)},
			{Key: HeaderGroup, Value: []byte(dl.Group)},
			{Key: HeaderKey, Value: []byte(dl.Key)},
			{Key: HeaderAttempt, Value: strconv.AppendInt(nil, int64(dl.Attempt), 10)},
			{Key: HeaderRejectedAt, Value: dl.At.UTC().AppendFormat(nil, time.RFC3339Nano)},
			{Key: HeaderPartition, Value: strconv.AppendInt(nil, int64(part), 10)},
			{Key: HeaderOffset, Value: strconv.AppendInt(nil, off, 10)},
		},
	}
}

// decodeDeadLetter reads a dead-letter record leniently: it may have been written by hand
// or by another tool, so a missing or malformed header leaves its field zero (the time
// falls back to the record's timestamp).
func decodeDeadLetter(r *kgo.Record) queue.DeadLetter {
	dl := queue.DeadLetter{Message: queue.Message{Key: string(r.Key), Body: r.Value}, At: r.Timestamp}
	for _, h := range r.Headers {
		v := string(h.Value)
		switch h.Key {
		case HeaderReason:
			dl.Reason = v
		case HeaderTopic:
			dl.Topic = v
		case HeaderGroup:
			dl.Group = v
		case HeaderKey:
			dl.Key = v
		case HeaderAttempt:
			if n, err := strconv.Atoi(v); err == nil {
				dl.Attempt = n
			}
		case HeaderRejectedAt:
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				dl.At = t
			}
		}
	}
	return dl
}
