package rule

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/trolly-logs/trolly/search/query"
)

// Aggregate is what a threshold rule computes over a window.
type Aggregate string

// Aggregates.
const (
	AggCount    Aggregate = "count"
	AggDistinct Aggregate = "distinct"
	AggSum      Aggregate = "sum"
	AggAvg      Aggregate = "avg"
	AggMin      Aggregate = "min"
	AggMax      Aggregate = "max"
)

// Op compares an aggregate with a bound.
type Op string

// Comparisons.
const (
	OpGE Op = ">="
	OpGT Op = ">"
	OpLE Op = "<="
	OpLT Op = "<"
	OpEQ Op = "=="
)

// Condition is a threshold rule's When: Agg of Field (none for count) Op Value.
type Condition struct {
	Agg   Aggregate
	Field string
	Op    Op
	Value float64
}

// Holds reports whether v satisfies the condition.
func (c Condition) Holds(v float64) bool {
	switch c.Op {
	case OpGE:
		return v >= c.Value
	case OpGT:
		return v > c.Value
	case OpLE:
		return v <= c.Value
	case OpLT:
		return v < c.Value
	case OpEQ:
		return v == c.Value
	}
	return false
}

// String writes the condition as ParseCondition reads it.
func (c Condition) String() string {
	agg := string(c.Agg)
	if c.Field != "" {
		agg += "(" + c.Field + ")"
	}
	return agg + " " + string(c.Op) + " " + strconv.FormatFloat(c.Value, 'g', -1, 64)
}

// ParseCondition reads "count >= 20", "count() > 5", "distinct(user.name) >= 3",
// "sum(http.response.body.bytes) > 1e9", "avg(f) < 2.5", "min(f) == 0", "max(f) <= 10".
func ParseCondition(s string) (Condition, error) {
	var c Condition
	rest := strings.TrimSpace(s)
	i := strings.IndexAny(rest, "(<>=! \t")
	if i < 0 {
		return c, fmt.Errorf("%q: want an aggregate, a comparison and a number, such as count >= 20", s)
	}
	c.Agg, rest = Aggregate(rest[:i]), rest[i:]
	switch c.Agg {
	case AggCount, AggDistinct, AggSum, AggAvg, AggMin, AggMax:
	default:
		return c, fmt.Errorf("%q: unknown aggregate %q: want count, distinct, sum, avg, min or max", s, c.Agg)
	}
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return c, fmt.Errorf("%q: missing ')'", s)
		}
		c.Field, rest = strings.TrimSpace(rest[1:end]), rest[end+1:]
	}
	switch {
	case c.Agg == AggCount && c.Field != "":
		return c, fmt.Errorf("%q: count takes no field: use distinct(%s) for distinct values", s, c.Field)
	case c.Agg != AggCount && c.Field == "":
		return c, fmt.Errorf("%q: %s needs a field, such as %s(http.response.body.bytes)", s, c.Agg, c.Agg)
	case c.Field != "" && !query.ValidField(c.Field):
		return c, fmt.Errorf("%q: %q is no field name", s, c.Field)
	}
	rest = strings.TrimSpace(rest)
	for _, op := range []Op{OpGE, OpLE, OpEQ, OpGT, OpLT} { // two-character operators first
		if after, ok := strings.CutPrefix(rest, string(op)); ok {
			c.Op, rest = op, strings.TrimSpace(after)
			break
		}
	}
	if c.Op == "" {
		return c, fmt.Errorf("%q: want a comparison, one of >= > <= < ==", s)
	}
	v, err := strconv.ParseFloat(rest, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return c, fmt.Errorf("%q: %q is no finite number", s, rest)
	}
	c.Value = v
	return c, nil
}
