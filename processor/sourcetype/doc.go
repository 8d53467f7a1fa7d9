// Package sourcetype holds the source types of the processor: each names a Parser that turns
// one record's line into ECS fields on an ecs.Document. A Registry maps names to parsers;
// Builtin returns the types Trolly ships: text, json, logfmt, nginx_access, apache_access,
// nginx_error, apache_error, syslog, sshd, cef, docker, cri, and auto, which picks one of the
// others per line. A stream's own patterns and pipeline apply after its source type (see
// package processor).
package sourcetype
