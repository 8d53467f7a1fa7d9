package syslog

import "github.com/trolly-logs/trolly/ingest"

// Fields a Record may carry beside the message.
const (
	// FieldTags holds TagTruncated for a message cut to the maximum size; the processor
	// adds its own tags (_parse_failure) after it.
	FieldTags = "tags"
	// TagTruncated marks a message of which only the first bytes were kept.
	TagTruncated = "_truncated"
	// FieldSourceAddress is the sender's address, as Filebeat's syslog inputs name it.
	FieldSourceAddress = "log.source.address"
)

// Record returns the ingest record of one message for the "syslog" source type. data is
// the message as received without its auth element (see Auth.AppendData), copied out of
// the Reader's buffer; the processor parses its header. The fields say what the transport
// knows beside it: the _truncated tag for a message that was cut, and the sender's address
// when remote is not empty. UDP needs the address on each record, since its batches gather
// many senders; a TCP batch holds one connection's messages and carries its address once.
func Record(data []byte, truncated bool, remote string) ingest.Record {
	rec := ingest.Record{Data: data}
	if truncated || remote != "" {
		rec.Fields = make(map[string]string, 2)
		if truncated {
			rec.Fields[FieldTags] = TagTruncated
		}
		if remote != "" {
			rec.Fields[FieldSourceAddress] = remote
		}
	}
	return rec
}
