// Package hec decodes the Splunk HTTP Event Collector (HEC) protocol and encodes its answers,
// so that shippers built for Splunk (Vector, Fluent Bit, the OpenTelemetry collector's
// splunk_hec exporter, Docker's splunk log driver) can send to Trolly unchanged.
//
// Endpoints, as the gateway should route them (the "/1.0" forms are aliases):
//
//   - POST /services/collector/event (and /services/collector): DecodeEvents. The body is
//     JSON objects one after another, separated by optional white space, each
//     {"time", "host", "source", "sourcetype", "index", "event", "fields"}.
//   - POST /services/collector/raw: DecodeRaw. The body is text, one record per line.
//   - GET /services/collector/health: Healthy or Unhealthy.
//   - POST /services/collector/ack: Trolly answers a request only once its records are
//     durable, so it has no indexer acknowledgement: answer AckDisabled.
//
// Both decoders take the query's and headers' defaults (Params: channel, host, source,
// sourcetype, index); values in an event win over them. The token comes from Token.
//
// Mapping to records (ingest.Record):
//
//   - a string event is a text line (Data); an object event is a JSON record (JSON: true);
//     a number or boolean event is its literal as text;
//   - time -> "@timestamp" (RFC 3339 in UTC with nanoseconds). Seconds with a fraction are
//     exact; an integer too large to be seconds is read as milliseconds, microseconds or
//     nanoseconds (clients that send Unix milliseconds are common);
//   - host -> host.name;
//   - source -> log.file.path when it is an absolute file path (Splunk's file monitor
//     sources), else event.provider (free-form origins such as "http:app" or "syslog");
//   - fields -> labels.<name>, dots and blanks in the name replaced by '_' (ECS labels are
//     flat); an array value is kept as its JSON text;
//   - index and sourcetype are not fields but each record's Hint, which the gateway maps to
//     one of the tenant's streams (and answers IncorrectIndex when the index is unknown).
//
// Errors are *Error, which carries the HEC code and the 0-based number of the bad event and
// unwraps to an *ingest.Error. As Splunk does, DecodeEvents returns the events before the
// first bad one along with the error; the gateway may publish them before answering.
package hec
