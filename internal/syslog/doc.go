// Package syslog parses one syslog message, RFC 5424 or RFC 3164 (BSD) with the quirks of
// real senders, into a Message of slices of the input. The gateway reuses it for syslog
// over UDP and TCP, the processor for syslog lines from files; both run it once per
// message, so it does not allocate once a Message is warm.
package syslog
