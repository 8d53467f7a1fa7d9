// Package esbulk speaks enough of the Elasticsearch HTTP API for shippers that only know
// Elasticsearch (Beats, Logstash, Fluent Bit, Vector, rsyslog's omelasticsearch, syslog-ng's
// elasticsearch-http()) to send logs to Trolly unchanged.
//
// Decode reads a _bulk body (POST /_bulk or /{index}/_bulk): NDJSON pairs of an action line
// and a source line. The index and create actions are accepted; each source document becomes
// one JSON record, and the target index (the action's _index, else the one of the path) is the
// record's routing hint in its Item's Index, which the gateway maps to one of the tenant's
// streams. Trolly stores logs append-only, so update and delete are refused per item, as
// Elasticsearch refuses items, and the rest of the request goes on. Unknown metadata
// (_type from Fluent Bit or older Beats, pipeline, routing...) is ignored. Blank lines are
// skipped and the final newline is optional.
//
// DecodeDoc reads the body of a single-document request (POST /{index}/_doc, PUT or POST
// /{index}/_doc/{id} and /{index}/_create/{id}) into a request of one item, checked as a bulk
// item is; Request.DocResponse answers it as Elasticsearch answers one document: 201 with
// _index, _id and result "created", or the item's error alone.
//
// Request.Response encodes the bulk answer (took, errors, items) in the compact form that
// Vector and Fluent Bit search for ("errors":true). The Response helpers give the answers of
// whole-request errors in Elasticsearch's shape (400 parse_exception or
// illegal_argument_exception, 401 security_exception, 413, 429
// es_rejected_execution_exception), and Probe answers what shippers ask before their first
// bulk: GET and HEAD / (version, tagline, build flavour; Beats, Vector and Logstash read the
// version, Logstash and the Elastic clients check the X-Elastic-Product header), GET /_license
// and /_xpack (the Beats licence check), GET /_cluster/health (Vector's health check) and the
// setup calls for templates, ILM policies and ingest pipelines, which are acknowledged and
// ignored.
//
// Credential takes the ingest key out of the Authorization header. The Trolly ingest key is
// the secret in every form a shipper can send: "ApiKey base64(<id>:<key>)" (Beats and
// Logstash api_key "<id>:<key>", any id), "ApiKey <key>", "Basic base64(<user>:<key>)" (any
// user name, the key as password) and "Bearer <key>".
package esbulk
