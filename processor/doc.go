// Package processor turns raw batches into ECS events. Each worker receives raw batches from
// the "raw" topic (group "processor"), parses every record as its stream says (a Stream,
// compiled from the stream's source type and settings: see processor/sourcetype,
// processor/grok, processor/multiline and processor/pipeline), builds one ECS JSON document
// per event (see processor/ecs), publishes the event batch on the "events" topic and only
// then acknowledges the raw batch.
//
// A record is one event, except where a multiline rule or a runtime's partial flag joins
// lines (the event takes the first record's id), where a pipeline drops it, or duplicates it
// (the copy's id is "<event id>-dup<step>"). An event a pipeline routes to another stream of
// the tenant keeps its place in the batch and names its stream (Event.stream).
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
// the captures of the stream's patterns, and the reserved fields; then the stream's pipeline
// runs, which may change the dataset and stream but no other reserved field. A time further
// from received_at than the stream's bounds is replaced by it, with the tag
// _timestamp_clamped.
package processor
