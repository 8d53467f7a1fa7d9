// Package syslog frames syslog messages off the wire for the gateway's UDP, TCP and TLS
// listeners, reads who sent each one (the token of an [auth@32473 token="..."] element) and
// where it goes (a stream hint), and turns it into an ingest.Record for the "syslog" source
// type. Parsing the header into fields is the processor's work, with internal/syslog.
//
// Framing follows RFC 6587 as rsyslog and syslog-ng read it: a TCP frame that starts with
// a length and a space is octet-counted, any other is ended by LF or NUL, decided per
// frame. A message longer than the maximum is cut to it and marked, and the rest of its
// frame is dropped (rsyslog's discardTruncatedMsg="on", syslog-ng's trim-large-messages),
// so that its tail never turns into a bogus message of its own.
package syslog
