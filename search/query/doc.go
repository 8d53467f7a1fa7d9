// Package query owns the tenant query language: its syntax tree, its parser and its printer.
// Backends compile the tree (to LogsQL, to the Elasticsearch DSL, to an in-memory
// predicate); nothing here knows about them.
//
// Terms separated by spaces are ANDed (an AND or "and" between them is allowed); "-term" or
// "NOT term" negates; OR joins alternatives, binding looser than AND ("a b OR c" is
// "(a b) OR c"), and parentheses group. A term is a word, a "quoted phrase" (with \" and \\
// escapes), '=' before either to match its case, field:value or field:"quoted value";
// '*' in an unquoted value is a wildcard (a trailing one, a prefix), field:* tests that the
// field holds a value, field:10.0.0.0/8 a CIDR block, and field >= 500,
// field:[1000 TO 5000] (braces leave a bound out) a range of numbers, or of times on
// @timestamp.
//
// Match (and Compile, for many events) evaluates a tree on one event in memory, for
// pipelines and alert rules, with the semantics of the embedded engine (search/vlogs), so
// that a query means there what it means in the search bar; match_engine_test.go holds
// them to it.
package query
