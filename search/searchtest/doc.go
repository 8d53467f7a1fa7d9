// Package searchtest is the conformance suite of search.Backend: every backend runs it
// against a real instance (search/vlogs does; the Elasticsearch backend will). It checks
// only the contract of package search, so that backends can differ in everything else.
//
// Run covers queries, time ranges, order and limits, tenant walls and idempotent writes on
// fresh backends; RunPersistence, for backends whose storage outlives them, reopens the
// same storage. RunCalls, for backends that implement search.Analyzer, checks cursor
// paging, order and projection of hits, histograms, facets and field lists.
package searchtest
