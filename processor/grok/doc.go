// Package grok compiles the patterns of custom stream parsers: Go RE2 regular expressions
// extended with grok references, whose captures name ECS fields and may convert them.
//
// A pattern may use, besides RE2 syntax:
//
//	%{NAME}                 the named pattern NAME, not captured
//	%{NAME:field}           captured into the ECS path field ("source.address")
//	%{NAME:field:type}      captured and converted
//	(?<field>re) (?P<field>re) (?<field:type>re)   a named group; field is an ECS path
//
// Names come from the Library and from the stream's own definitions, which may refer to
// each other and replace library patterns. Paths are dot-separated segments of letters,
// digits, '_', '@' and '-'. Types are string (the default), int or long, float or double,
// bool or boolean, ip (an IPv4 or IPv6 address without zone), and timestamp: the formats of
// package timestamp are recognised by their shape, or timestamp(layout) names one — auto,
// rfc3339, rfc3164, clf, apache, java, nginx, unix, unix_ms, unix_us, unix_ns — or gives a
// Go layout such as timestamp(2006-01-02 15:04:05), which is slower; a layout holds no ')'.
// Times without a zone are read in the stream's zone, times without a year take the year
// nearest the receive time. Two paths are special: @timestamp (always a timestamp) sets the
// event's time, and message replaces its message.
//
// Matching is unanchored, as in Logstash: the pattern may match anywhere in the line, and
// ^ and $ anchor it to the whole record. Plain groups do not capture (only named ones do),
// and \%{ is a literal "%{". RE2 has no lookaround, atomic groups or back references; such
// patterns are refused with the offset of the construct.
//
// A pattern that cannot compile is refused with a *CompileError that gives the byte offset
// of the mistake in the text the user wrote, so a stream is checked when it is saved. Match
// tells a line that does not match (false) from one that matched with captures that did not
// convert (true and an error wrapping ErrConversion).
//
// Matching runs on an engine of the package's own: Go's regexp backtracker over the same
// compiled program, so it finds the same matches and captures in linear time, made faster
// for log lines (ASCII classes by table, literal runs compared at once, greedy loops over a
// class scanned in a tight loop, alternatives skipped by their first byte) and allocation
// free. It is tested against regexp by fuzzing; inputs too long for its memo go to regexp.
package grok
