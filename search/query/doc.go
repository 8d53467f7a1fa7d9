// Package query owns the tenant query language: its syntax tree, its parser and its printer.
// Backends compile the tree (to SQL, to the Elasticsearch DSL, to an in-memory predicate);
// nothing here knows about them.
//
// The first cut of the language: terms separated by spaces are ANDed (an AND or "and"
// between them is allowed); "-term" or "NOT term" negates; a term is a word, a "quoted
// phrase" (with \" and \\ escapes), or field:value and field:"quoted value"; a trailing '*'
// on an unquoted value makes it a prefix. OR and parentheses are reserved for the next
// grammar and rejected with an error that names their byte offset.
//
// Match (and Compile, for many events) evaluates a tree on one event in memory, for
// pipelines and alert rules, with the semantics of the embedded index (search/sqlite), so
// that a query means there what it means in the search bar.
package query
