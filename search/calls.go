package search

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Order is the order of hits.
type Order int

const (
	// Newest returns the latest events first: the default.
	Newest Order = iota
	// Oldest returns the earliest events first.
	Oldest
)

// ParseOrder reads "newest" or "oldest"; "" is Newest.
func ParseOrder(s string) (Order, error) {
	switch s {
	case "", "newest":
		return Newest, nil
	case "oldest":
		return Oldest, nil
	}
	return Newest, fmt.Errorf("order: must be newest or oldest, got %q", s)
}

// Cursor is where a page of hits ended: the time of its last hit, and how many hits of
// that very time the pages so far returned. The engines order hits of one time by event.id,
// the same way on every search, so skipping that many continues exactly after the page.
type Cursor struct {
	Order Order
	Time  time.Time
	Skip  int
}

// cursorVersion starts every encoded cursor, so that a change of the format is refused.
const cursorVersion = "c1"

// Encode returns the cursor as an opaque string safe in a URL.
func (c Cursor) Encode() string {
	s := fmt.Sprintf("%s.%d.%d.%d", cursorVersion, c.Order, c.Time.UnixNano(), c.Skip)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// ErrBadCursor is a cursor that no search returned.
var ErrBadCursor = errors.New("cursor: not one a search returned")

// DecodeCursor reads a cursor of Encode.
func DecodeCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrBadCursor
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 4 || parts[0] != cursorVersion {
		return Cursor{}, ErrBadCursor
	}
	order, err1 := strconv.Atoi(parts[1])
	ns, err2 := strconv.ParseInt(parts[2], 10, 64)
	skip, err3 := strconv.Atoi(parts[3])
	if err := errors.Join(err1, err2, err3); err != nil || (order != int(Newest) && order != int(Oldest)) || skip < 1 {
		return Cursor{}, ErrBadCursor
	}
	return Cursor{Order: Order(order), Time: time.Unix(0, ns).UTC(), Skip: skip}, nil
}

// ErrUnsupported is a call the backend does not serve.
var ErrUnsupported = errors.New("this search backend does not serve histograms, facets or field lists")

// Analyzer answers the aggregate calls: histograms, top values and field names. A
// Backend may implement it; the API answers Unimplemented when its backend does not.
type Analyzer interface {
	// Histogram counts the matches of req per time bucket, optionally split by the top
	// values of a field.
	Histogram(ctx context.Context, req HistogramRequest) (Histogram, error)
	// Facets returns the most frequent values of fields among the matches.
	Facets(ctx context.Context, req FacetsRequest) ([]Facet, error)
	// FieldNames returns the ECS paths of the fields the matches hold, with the count of
	// matches holding each.
	FieldNames(ctx context.Context, req Request) ([]FieldCount, error)
}

// HistogramRequest is a histogram of req's matches; only Tenant, Query, From and To of
// Request are read.
type HistogramRequest struct {
	Request
	// Interval is the width of the buckets, which start at multiples of it since the Unix
	// epoch (UTC).
	Interval time.Duration
	// By, an ECS path, splits each bucket by the Top most frequent values of that field
	// over the range; "" does not split.
	By  string
	Top int
}

// Histogram answers a HistogramRequest.
type Histogram struct {
	Interval time.Duration
	// Values are By's top values, most frequent first.
	Values []string
	// Buckets cover the range, in time order, those without matches included: the first
	// holds From, the last To's instant just before. They count matches within the range
	// only, so the first and last may cover less than Interval.
	Buckets []Bucket
}

// Bucket is one interval of a histogram.
type Bucket struct {
	Start time.Time
	Count int64
	// ByValue counts the matches of each of Histogram.Values, in that order; Other the rest
	// (events lacking the field included).
	ByValue []int64
	Other   int64
}

// FacetsRequest asks for the top values of fields among req's matches.
type FacetsRequest struct {
	Request
	// Fields are ECS paths; empty means every field that has few enough distinct values to
	// be worth a list (the engine's bound).
	Fields []string
	// Limit is the number of values per field.
	Limit int
}

// Facet is the top values of one field, most frequent first (ties by value).
type Facet struct {
	Field  string
	Values []ValueCount
}

// ValueCount is a value and how many matches hold it.
type ValueCount struct {
	Value string
	Count int64
}

// FieldCount is a field's ECS path and how many matches hold it.
type FieldCount struct {
	Field string
	Count int64
}

// BucketStart returns the start of the bucket of width interval that holds t.
func BucketStart(t time.Time, interval time.Duration) time.Time {
	ns, step := t.UnixNano(), int64(interval)
	start := ns - ns%step
	if ns%step < 0 {
		start -= step
	}
	return time.Unix(0, start).UTC()
}

// BucketCount returns how many buckets of width interval cover [from, to).
func BucketCount(from, to time.Time, interval time.Duration) int64 {
	if !to.After(from) {
		return 0
	}
	first, last := BucketStart(from, interval), BucketStart(to.Add(-1), interval)
	return int64(last.Sub(first)/interval) + 1
}

// EmptyBuckets returns the zero buckets of width interval covering [from, to), each with
// values zero counts of ByValue.
func EmptyBuckets(from, to time.Time, interval time.Duration, values int) []Bucket {
	n := BucketCount(from, to, interval)
	out := make([]Bucket, n)
	start := BucketStart(from, interval)
	for i := range out {
		out[i] = Bucket{Start: start.Add(time.Duration(i) * interval), ByValue: make([]int64, values)}
	}
	return out
}

// autoSteps are the round widths an automatic interval picks from.
var autoSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour,
}

// AutoBuckets is the most buckets AutoInterval gives; the steps grow by at most 2.5x, so
// it gives at least 48 for ranges of a minute or more.
const AutoBuckets = 120

// AutoInterval returns the smallest round step that covers [from, to) in at most
// AutoBuckets buckets; past a week's step, a whole number of weeks.
func AutoInterval(from, to time.Time) time.Duration {
	for _, s := range autoSteps {
		if BucketCount(from, to, s) <= AutoBuckets {
			return s
		}
	}
	week := 7 * 24 * time.Hour
	weeks := to.Sub(from)/(AutoBuckets*week) + 1
	return weeks * week
}
