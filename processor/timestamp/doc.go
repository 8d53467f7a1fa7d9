// Package timestamp reads the times that log lines carry: RFC 3339 and ISO 8601, BSD syslog
// (RFC 3164, without a year), Apache error logs, the common log format, Java/log4j, nginx
// error logs and epoch numbers. The named formats are scanned by hand, allocation free,
// because they run once per line; any other format is a Go layout. Times without a zone take
// the stream's location, times without a year the year that puts them nearest the receive
// time. Results are Unix nanoseconds, so every time lies between the years 1678 and 2262.
package timestamp

import _ "time/tzdata" // zones on machines without /usr/share/zoneinfo
