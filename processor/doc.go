// Package processor turns raw batches into ECS events. Each worker receives raw batches from
// the "raw" topic (group "processor"), parses every record by its stream's source type (see
// processor/sourcetype), builds one ECS JSON document per record (see processor/ecs),
// publishes the event batch on the "events" topic and only then acknowledges the raw batch.
//
// Every document carries the always-present fields of the design: @timestamp, message,
// event.id ("<batch id>-<record index>", so a redelivered batch rewrites the same ids),
// event.ingested (the batch's received_at, so a redelivered batch gives the same bytes),
// event.dataset, organization.id, data_stream.{type,dataset,namespace} and ecs.version. They
// are reserved: input cannot forge them. A record that does not parse is kept with the tag
// _parse_failure and an error.message; a time that cannot be read is replaced by
// received_at, with the tag _timestamp_failure. Nothing is dropped.
//
// A raw batch that can never be processed (not a RawBatch, an unknown source type, no id,
// tenant or stream) is rejected to the queue's dead letters with its reason, and the stream
// behind it goes on; so is one delivered more than max_attempts times, which the processor
// may be crashing on. A failing publish is retried while the raw batch is held.
//
// Fields are applied in this order, later ones winning at the same path: the record's wire
// fields (RawRecord.fields), the fields of a JSON record, the fields the source type parses,
// and the reserved fields.
package processor
