// Package search indexes events per tenant in time-named indices and searches them.
//
// Index names are trolly-<tenant>-<yyyy.mm.dd> for tenants whose search retention is at most
// 31 days and trolly-<tenant>-<yyyy.mm> above. The Backend interface lives here; backends are
// children (search/vlogs, the embedded engine; Elasticsearch next) and all pass the conformance suite in search/searchtest.
// A backend may also implement Analyzer (histograms, top values, field lists); hits page on
// with Cursors. The query language is in search/query. The Indexer, which feeds a Backend from the events
// topic of the queue, lives here too.
package search
