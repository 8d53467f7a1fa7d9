// Package pipeline runs a stream's steps on every event after parsing: set, rename and
// remove fields, drop events, route them to another stream or dataset, duplicate them,
// and redact secrets. A pipeline is a JSON list of objects with one key each, naming the
// step; Compile validates it when the stream is saved and compiles it once, and Run
// applies it to one ecs.Document at a time.
//
//	[{"set":       {"field": "service.name", "value": "checkout"}},
//	 {"set":       {"field": "labels.host", "copy_from": "host.name"}},
//	 {"rename":    {"field": "msg_id", "to": "labels.msg_id"}},
//	 {"remove":    {"fields": ["agent", "ecs_raw"]}},
//	 {"drop":      {"if": "log.level:debug"}},
//	 {"route":     {"if": "tags:audit", "stream": "audit", "dataset": "app.audit"}},
//	 {"duplicate": {"if": "log.level:error", "stream": "errors"}},
//	 {"redact":    {"fields": ["message"], "builtins": ["email", "credit_card"],
//	                "patterns": ["password=(\\S+)"], "mask": "[REDACTED]"}}]
//
// Steps run in order, each on the document as the steps before it left it. Every step
// takes "if", a query of the search language (search/query) evaluated on the document at
// that step, which means what it means in the search bar; without it the step always
// runs. drop requires it: a pipeline that drops every event is a mistake.
//
//   - set replaces the value at field, and anything inside it, by value (a string, number
//     or boolean) or by a copy of what copy_from holds (nothing happens when copy_from is
//     missing).
//   - rename moves field, and anything inside it, to "to", replacing what "to" held.
//   - remove removes each field and anything inside it.
//   - drop ends the pipeline and drops the event.
//   - route sends the event to another stream (data_stream.namespace) and/or dataset
//     (event.dataset and data_stream.dataset), of the same tenant. Later steps still run
//     on the event (a later route wins, a later drop drops it): redaction placed last
//     applies to routed events too.
//   - duplicate emits a copy of the event as it is at that step to another stream and/or
//     dataset; the original goes on, and a later drop drops only the original. The copy gets its own event.id,
//     "<event.id>-dup<step>", derived like the original's, so a redelivered batch rewrites
//     the same copies and no index takes a copy for a redelivery of the original.
//   - redact masks secrets in the strings of fields (default: message), strings in
//     arrays too: built-in detectors (email, credit_card, bearer_token, url_password) and
//     regular expressions (RE2 syntax; when one has groups, only the groups are masked).
//
// The fields the processor sets for every event are out of reach: @timestamp, event.id,
// event.ingested, organization.id, ecs.version and data_stream.type, and event.dataset
// and data_stream.{dataset,namespace} except through route and duplicate. No step may
// set, rename or remove them, their parents or anything inside them. The message may be
// set, renamed onto and redacted, but not removed or renamed away. @timestamp is reserved
// because the event's time also picks its index and archive object, outside the document.
//
// Field paths are ECS dotted paths in the query language's field syntax.
package pipeline
