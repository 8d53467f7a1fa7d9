// Package alerting is the complex-event-processing layer: it consumes the events topic as
// a consumer group of its own, evaluates every tenant's rules on the live stream, and
// stores the alerts they raise. Rules are documents of package rule, whose predicates are
// the query language of search/query.
package alerting
