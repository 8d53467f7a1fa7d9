// Package query owns the tenant query language: its syntax tree, its parser and its printer.
// Backends compile the tree (to SQL, to the Elasticsearch DSL, to an in-memory predicate);
// nothing here knows about them.
//
// The first cut of the language: terms separated by spaces are ANDed (an AND or "and"
// between them is allowed); "-term" or "NOT term" negates; a term is a word, a "quoted
// phrase" (with \" and \\ escapes), or field:value and field:"quoted value"; a trailing '*'
// on an unquoted value makes it a prefix. OR joins alternatives, binding looser than AND
// ("a b OR c" is "(a b) OR c"), and parentheses group.
//
// Match (and Compile, for many events) evaluates a tree on one event in memory, for
// pipelines and alert rules, with the semantics of the embedded index (search/sqlite), so
// that a query means there what it means in the search bar.
package query
