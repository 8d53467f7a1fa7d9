package accessgen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// AppPattern is a custom grok pattern of ten captures for the lines of AppLines, the
// benchmark of a stream's own patterns.
const AppPattern = `^%{TIMESTAMP_ISO8601:@timestamp} +%{LOGLEVEL:log.level} +\[%{DATA:process.thread.name}\] ` +
	`%{NOTSPACE:log.logger} - user=%{USER:user.name} ip=%{IP:source.ip:ip} ` +
	`%{WORD:http.request.method} %{URIPATH:url.path} status=%{INT:http.response.status_code:int} ` +
	`took=%{NUMBER:event.duration:float}ms`

// AppLines returns n lines of an application's log, for AppPattern; the same seed gives the
// same lines.
func AppLines(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	levels := []string{"INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"}
	methods := []string{"GET", "GET", "POST", "PUT", "DELETE"}
	paths := []string{"/", "/api/v1/orders", "/api/v1/orders/42/items", "/health", "/static/app.js"}
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	out := make([][]byte, n)
	for i := range out {
		ts := start.Add(time.Duration(i) * 7 * time.Millisecond)
		out[i] = fmt.Appendf(nil, "%s %-5s [worker-%d] com.example.orders.OrderController - user=user%d "+
			"ip=10.%d.%d.%d %s %s status=%d took=%d.%03dms",
			ts.Format("2006-01-02T15:04:05.000Z07:00"), levels[r.IntN(len(levels))], r.IntN(16), r.IntN(500),
			r.IntN(256), r.IntN(256), 1+r.IntN(254), methods[r.IntN(len(methods))], paths[r.IntN(len(paths))],
			[]int{200, 200, 201, 404, 500}[r.IntN(5)], r.IntN(2000), r.IntN(1000))
	}
	return out
}
