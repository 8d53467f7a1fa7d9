// Package loki decodes the Loki push API (POST /loki/api/v1/push), in both of its forms:
// JSON (application/json) and snappy-compressed protobuf (application/x-protobuf), and
// writes the answers Loki's clients (Promtail, Grafana Alloy, Fluent Bit, Vector, the
// logging libraries) expect.
//
// Each entry becomes one ingest.Record whose Data is the log line. Its Fields hold the
// stream's labels and the entry's structured metadata as labels.<name>, and the entry's
// time as "@timestamp" (RFC 3339 with nanoseconds, UTC). The streams and their labels are
// also returned as the request's routing hint (Request.Streams), so the gateway can map a
// label such as service_name to one of the tenant's streams.
package loki
