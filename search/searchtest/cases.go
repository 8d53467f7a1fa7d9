package searchtest

import "time"

// queryCase is one search and the ids it must return, newest first. Zero fields mean:
// tenant acme, the range [wideFrom, wideTo), a limit of 100, a total of len(want).
type queryCase struct {
	name      string
	tenant    string
	q         string
	from, to  time.Time
	limit     int
	zeroLimit bool
	want      []string
	total     int64
}

// wideFrom and wideTo hold every fixture.
var (
	wideFrom = at(2024, 1, 1, 0, 0, 0, 0)
	wideTo   = at(2024, 4, 1, 0, 0, 0, 0)
)

// acmeIDs are acme's events, newest first.
var acmeIDs = []string{"acme-08", "acme-07", "acme-06", "acme-05", "acme-04", "acme-03", "acme-02", "acme-01"}

var queryCases = []queryCase{
	{name: "empty query matches all", q: "", want: acmeIDs},
	{name: "word", q: "timed", want: []string{"acme-03"}},
	{name: "words are case-insensitive", q: "FAILED", want: []string{"acme-02"}},
	{name: "word of another field", q: "bastion", want: []string{"acme-08", "acme-02"}},
	{name: "word of an error message", q: "pattern", want: []string{"acme-06"}},
	{name: "number in the message", q: "4711", want: []string{"acme-07"}},
	{name: "two words", q: "web-01 POST", want: []string{"acme-04"}},
	{name: "phrase", q: `"invalid user admin"`, want: []string{"acme-02"}},
	{name: "phrase in another order", q: `"admin user invalid"`},
	{name: "prefix", q: "upstr*", want: []string{"acme-03"}},
	{name: "prefix of several words", q: "CONN*", want: []string{"acme-08", "acme-03"}},
	{name: "message field", q: "message:failed", want: []string{"acme-02"}},
	{name: "message field phrase", q: `message:"timed out"`, want: []string{"acme-03"}},
	{name: "message field excludes other fields", q: "message:bastion"},
	{name: "field string", q: "host.name:web-01", want: []string{"acme-04", "acme-01"}},
	{name: "field value is whole", q: "host.name:web"},
	{name: "field number", q: "http.response.status_code:200", want: []string{"acme-05", "acme-01"}},
	{name: "field nested number", q: "http.response.body.bytes:5120", want: []string{"acme-01"}},
	{name: "field large number", q: "event.duration:1500000", want: []string{"acme-07"}},
	{name: "field numeric string", q: "labels.order_id:4711", want: []string{"acme-07"}},
	{name: "field quoted", q: `user_agent.original:"kube-probe/1.29"`, want: []string{"acme-05"}},
	{name: "field ip", q: "source.ip:203.0.113.7", want: []string{"acme-03", "acme-01"}},
	{name: "field array", q: "tags:_parse_failure", want: []string{"acme-06"}},
	{name: "field array second element", q: "tags:declined", want: []string{"acme-07"}},
	{name: "field prefix", q: "url.path:/api*", want: []string{"acme-03"}},
	{name: "field prefix of every value", q: "url.path:/*", want: []string{"acme-05", "acme-04", "acme-03", "acme-01"}},
	{name: "field prefix with a question mark", q: "url.original:/api/orders?*", want: []string{"acme-03"}},
	{name: "field prefix wildcards are literal", q: "url.path:/ap?*"},
	{name: "field prefix brackets are literal", q: "url.path:/[a]*"},
	{name: "object is no value", q: "http.response:200"},
	{name: "missing field", q: "no.such.field:x"},
	{name: "negated missing field", q: "-no.such.field:x", want: acmeIDs},
	{name: "negated word", q: "NOT sshd", want: []string{"acme-07", "acme-06", "acme-05", "acme-04", "acme-03", "acme-01"}},
	{name: "negated phrase", q: `-"timed out"`, want: []string{"acme-08", "acme-07", "acme-06", "acme-05", "acme-04", "acme-02", "acme-01"}},
	{name: "negated field", q: "-event.dataset:nginx.access", want: []string{"acme-08", "acme-07", "acme-03", "acme-02"}},
	{name: "combination", q: "event.dataset:nginx.access http.response.status_code:200 -healthz", want: []string{"acme-01"}},
	{name: "word and negated word", q: "failed and -root", want: []string{"acme-02"}},
	{name: "field and word", q: "user.name:root AND connection", want: []string{"acme-08"}},
	{name: "only negations", q: "-sshd -nginx.access", want: []string{"acme-07", "acme-03"}},
	{name: "or", q: "timed OR bastion", want: []string{"acme-08", "acme-03", "acme-02"}},
	{name: "or of fields", q: "host.name:web-02 OR user.name:root", want: []string{"acme-08", "acme-05", "acme-03"}},
	{name: "and binds tighter than or", q: "host.name:web-02 http.response.status_code:200 OR user.name:admin",
		want: []string{"acme-05", "acme-02"}},
	{name: "parentheses", q: "(host.name:web-01 OR host.name:web-02) http.response.status_code:200",
		want: []string{"acme-05", "acme-01"}},
	{name: "negated group", q: "-(sshd OR event.dataset:nginx.access)", want: []string{"acme-07", "acme-03"}},
	{name: "or with a negation", q: "bastion OR -http.response.status_code:200",
		want: []string{"acme-08", "acme-07", "acme-06", "acme-04", "acme-03", "acme-02"}},
	{name: "or matching nothing", q: "no-such-word OR no.such.field:x"},
	{name: "bookkeeping is no text", q: "acme"},
	{name: "bookkeeping by field", q: "organization.id:acme", want: acmeIDs},
	{name: "number as a word", q: "5120", want: []string{"acme-01"}},
	{name: "case-sensitive word", q: "=Failed", want: []string{"acme-02"}},
	{name: "case-sensitive word misses", q: "=failed"},
	{name: "case-sensitive phrase", q: `="Connection timed out"`, want: []string{"acme-03"}},
	{name: "wildcard inside a word", q: "up*eam", want: []string{"acme-03"}},
	{name: "leading wildcard", q: "*stream", want: []string{"acme-03"}},
	{name: "field wildcard", q: "url.path:/*z", want: []string{"acme-05"}},
	{name: "field wildcard in an array", q: "tags:*_failure", want: []string{"acme-06"}},
	{name: "field exists", q: "user.name:*", want: []string{"acme-08", "acme-02"}},
	{name: "object exists", q: "process:*", want: []string{"acme-08", "acme-02"}},
	{name: "field missing", q: "-http.response.status_code:*", want: []string{"acme-08", "acme-06", "acme-02"}},
	{name: "range from", q: "http.response.status_code >= 402", want: []string{"acme-07", "acme-03"}},
	{name: "range above", q: "http.response.status_code:>402", want: []string{"acme-03"}},
	{name: "range below", q: "http.response.status_code<402", want: []string{"acme-05", "acme-04", "acme-01"}},
	{name: "range inclusive", q: "http.response.body.bytes:[31 TO 5120]", want: []string{"acme-04", "acme-01"}},
	{name: "range exclusive", q: "http.response.body.bytes:{31 TO 5120}"},
	{name: "range open", q: "http.response.body.bytes:[3 TO *]", want: []string{"acme-04", "acme-01"}},
	{name: "range of a numeric string", q: "labels.order_id:[4000 TO 5000]", want: []string{"acme-07"}},
	{name: "range of times", q: "@timestamp:[2024-01-31T08:00:00Z TO 2024-02-01}", want: []string{"acme-04", "acme-03"}},
	{name: "time comparison", q: "@timestamp > 2024-02-02T17:45:00Z", want: []string{"acme-08"}},
	{name: "cidr", q: "source.ip:198.51.100.0/24", want: []string{"acme-04", "acme-02"}},
	{name: "cidr wide", q: "source.ip:192.0.0.0/2", want: []string{"acme-08", "acme-04", "acme-03", "acme-02", "acme-01"}},
	{name: "cidr and a word", q: "source.ip:10.0.0.0/8 healthz", want: []string{"acme-05"}},
}

var rangeCases = []queryCase{
	{name: "from inclusive, to exclusive", from: at(2024, 2, 1, 0, 0, 0, 0), to: at(2024, 2, 2, 17, 45, 0, 0),
		want: []string{"acme-06", "acme-05"}},
	{name: "one millisecond", from: at(2024, 1, 30, 23, 59, 59, 999), to: at(2024, 1, 31, 0, 0, 0, 0),
		want: []string{"acme-01"}},
	{name: "empty range", from: at(2024, 1, 31, 0, 0, 0, 0), to: at(2024, 1, 31, 0, 0, 0, 0)},
	{name: "part of a day", from: at(2024, 1, 31, 6, 0, 0, 0), to: at(2024, 1, 31, 13, 0, 0, 0),
		want: []string{"acme-04", "acme-03"}},
	{name: "across the month boundary", from: at(2024, 1, 31, 23, 0, 0, 0), to: at(2024, 2, 1, 1, 0, 0, 0),
		want: []string{"acme-05"}},
	{name: "range with a query", q: "http.response.status_code:200", from: at(2024, 1, 31, 0, 0, 0, 0), to: wideTo,
		want: []string{"acme-05"}},
	{name: "word in part of a day", q: "sshd", from: at(2024, 2, 2, 12, 0, 0, 0), to: wideTo,
		want: []string{"acme-08"}},
	{name: "word after a day's first event", q: "bastion", from: at(2024, 1, 31, 0, 0, 0, 1), to: wideTo,
		want: []string{"acme-08"}},
	{name: "words in part of a day", q: "failed password -root", from: at(2024, 1, 30, 12, 0, 0, 0), to: at(2024, 1, 31, 0, 0, 0, 1),
		want: []string{"acme-02"}},
	{name: "no index before", from: at(2023, 6, 1, 0, 0, 0, 0), to: at(2023, 6, 2, 0, 0, 0, 0)},
	{name: "no index after", from: at(2030, 1, 1, 0, 0, 0, 0), to: at(2031, 1, 1, 0, 0, 0, 0)},
	{name: "only another tenant's month", from: at(2024, 3, 1, 0, 0, 0, 0), to: at(2024, 4, 1, 0, 0, 0, 0)},
}

var limitCases = []queryCase{
	{name: "limit below total", limit: 3, want: acmeIDs[:3], total: 8},
	{name: "limit zero counts", zeroLimit: true, total: 8},
	{name: "limit across indices", q: "sshd", limit: 1, want: []string{"acme-08"}, total: 2},
	{name: "limit of a field query", q: "http.response.status_code:200", limit: 1, want: []string{"acme-05"}, total: 2},
	{name: "limit above total", limit: 1000, want: acmeIDs},
}

// acmeCorpIDs are acme-corp's events, newest first.
var acmeCorpIDs = []string{"corp-04", "corp-03", "corp-02", "corp-01"}

var tenantCases = []queryCase{
	{name: "acme-corp sees its own", tenant: acmeCorp, want: acmeCorpIDs},
	{name: "acme-corp word", tenant: acmeCorp, q: "timed", want: []string{"corp-03"}},
	{name: "acme-corp field", tenant: acmeCorp, q: "host.name:web-01", want: []string{"corp-01"}},
	{name: "acme-corp array", tenant: acmeCorp, q: "tags:_parse_failure", want: []string{"corp-04"}},
	{name: "acme sees only acme", want: acmeIDs},
	{name: "acme misses acme-corp words", q: "gw"},
	{name: "acme misses acme-corp fields", q: "host.name:gw"},
	{name: "prefix of a tenant id", tenant: "acme-cor"},
	{name: "suffix of a tenant id", tenant: "corp"},
	{name: "longer tenant id", tenant: "acme-corp-2024"},
	{name: "unknown tenant", tenant: "globex"},
	{name: "acme made again", tenant: acmeAgain},
}
