// Package otlp decodes OTLP/HTTP logs: the ExportLogsServiceRequest that OpenTelemetry SDKs
// and collectors POST to /v1/logs, as protobuf (application/x-protobuf) or in OTLP's JSON
// mapping (application/json: hex trace and span ids, enums and 64-bit integers as numbers or
// strings, unknown fields ignored), and encodes the answers clients expect.
//
// Each LogRecord becomes one ingest.Record. Its Data is the body: the text of a string body
// (and of a number, a bool or base64 bytes), the JSON text of an array, or a JSON object
// (JSON: true) for a key/value-list body. Its Fields, keyed by ECS path, hold:
//
//   - @timestamp: time_unix_nano, else observed_time_unix_nano, in RFC 3339 with nanoseconds;
//   - log.level: severity_text, else the short name of severity_number ("WARN", "ERROR2");
//     event.severity: severity_number; event.action: event_name; log.logger: the scope name;
//   - trace.id and span.id in lowercase hex;
//   - resource attributes mapped to ECS the way Elastic's OpenTelemetry intake maps them
//     (service.name, service.version, host.name, container.*, cloud.*, kubernetes.*, ... see
//     resourceFields), and log attributes whose OpenTelemetry name has an ECS equivalent
//     (exception.* to error.*, log.file.* ...; see attributeFields);
//   - every other attribute, of the resource or of the record, under labels.<key> with the
//     key's dots replaced by underscores (as Elastic does), the record's winning over the
//     resource's. Values are strings: arrays and key/value lists as compact JSON.
//
// The routing hint is the resource's service.name: Request.Services[i] names the service of
// Records[i], which the gateway maps to one of the tenant's streams.
//
// A record whose Data is over Limits.MaxLineBytes is refused alone and counted in the
// response's partial_success; a request over Limits.MaxRecords, or that cannot be decoded, is
// refused whole with an *ingest.Error. Answers are an ExportLogsServiceResponse, or a
// google.rpc.Status for errors, in the request's encoding, as the OTLP/HTTP specification asks.
package otlp
