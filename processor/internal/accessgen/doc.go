// Package accessgen generates varied web server log lines for the processor's benchmarks:
// access logs in the common and combined formats, with IPv4 and IPv6 clients, users, query
// strings, escapes and nginx's extra fields, nginx error logs, and an application's log with
// a ten-capture pattern for it.
package accessgen
