// Package sqlite is the embedded search backend: one SQLite database file per index
// (<dir>/<index name>.db), through modernc.org/sqlite (no cgo). Each file holds a narrow
// table of event ids and timestamps, the documents as JSONB, and a contentless FTS5 index
// of their text. Hits return the documents as compact JSON: whitespace may change, never
// a value.
//
// The files are in WAL mode, so another process (trolly api) may search them while the
// indexer writes; a Write commits with synchronous=FULL and returns once durable. Files
// are created complete (built aside, then linked into place), and a file deleted behind
// the backend's back, by the bookkeeper, is noticed before the next call uses it.
//
// Query semantics: a term without a field, or on the field message, is an FTS5 match
// (unicode61 tokenizer, case- and diacritic-insensitive) over the message and every other
// text value but @timestamp and event.ingested; any other field compares the JSON value
// at that path, as a number too when the query value is numeric, an array matching when
// one of its elements does. Events must be nested ECS objects: a flat key
// "http.response.status_code" is not found by that field.
package sqlite
