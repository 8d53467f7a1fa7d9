// Package sourcetype holds the source types of the processor: each names a Parser that turns
// one record's line into ECS fields on an ecs.Document. A Registry maps names to parsers;
// Builtin returns the types Trolly ships (text, json, nginx_access, apache_access), and later
// ones (syslog, logfmt, grok patterns, per-stream pipelines) register the same way.
package sourcetype
