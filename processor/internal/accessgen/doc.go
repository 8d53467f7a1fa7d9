// Package accessgen generates varied web access log lines for the processor's benchmarks:
// common and combined formats, IPv4 and IPv6 clients, users, query strings, escapes, and
// nginx's extra fields.
package accessgen
