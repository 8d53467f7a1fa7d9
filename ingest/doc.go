// Package ingest decodes what shippers send into records. Each wire protocol is one small
// child package (ingest/lines, ...) that turns a request body into Records and reports bad
// input as an *Error whose Kind the gateway maps to a status code.
package ingest
