package accessgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var (
	methods  = []string{"GET", "GET", "GET", "POST", "HEAD", "PUT", "DELETE"}
	paths    = []string{"/", "/index.html", "/api/v1/items", "/static/app.3f9a.js", "/search", "/img/logo.png", "/login"}
	statuses = []int{200, 200, 200, 200, 304, 301, 404, 500, 403, 206}
	agents   = []string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
		"curl/8.5.0", "kube-probe/1.29", "Go-http-client/1.1", "-",
	}
	referrers = []string{"-", "-", "https://example.com/", "https://www.google.com/search?q=trolly", "http://intranet/\\x22x\\x22"}
)

// Lines returns n access log lines; the same seed gives the same lines.
func Lines(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.FixedZone("", 2*3600))
	out := make([][]byte, n)
	for i := range out {
		out[i] = line(r, start.Add(time.Duration(i)*37*time.Millisecond))
	}
	return out
}

func line(r *rand.Rand, t time.Time) []byte {
	client := fmt.Sprintf("%d.%d.%d.%d", 10+r.IntN(200), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	if r.IntN(10) == 0 {
		client = fmt.Sprintf("2001:db8:%x::%x", r.IntN(0xffff), 1+r.IntN(0xfff))
	}
	user := "-"
	if r.IntN(8) == 0 {
		user = fmt.Sprintf("user%d", r.IntN(100))
	}
	path := paths[r.IntN(len(paths))]
	if r.IntN(3) == 0 {
		path += fmt.Sprintf("?page=%d&q=term%d", r.IntN(50), r.IntN(1000))
	}
	b := fmt.Appendf(nil, `%s - %s [%s] "%s %s HTTP/1.1" %d %d`, client, user,
		t.Format("02/Jan/2006:15:04:05 -0700"), methods[r.IntN(len(methods))], path,
		statuses[r.IntN(len(statuses))], r.IntN(200000))
	if r.IntN(10) == 0 { // common format
		return b
	}
	b = fmt.Appendf(b, ` "%s" "%s"`, referrers[r.IntN(len(referrers))], agents[r.IntN(len(agents))])
	if r.IntN(4) == 0 { // nginx with $http_x_forwarded_for
		b = fmt.Appendf(b, ` "%d.%d.%d.%d"`, r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
	}
	return b
}

var nginxErrors = []struct {
	level, msg string
	request    bool // the message is about a request: connection and list follow
}{
	{"error", `open() "/usr/share/nginx/html%s" failed (2: No such file or directory)`, true},
	{"error", `upstream timed out (110: Connection timed out) while reading response header from upstream`, true},
	{"error", `connect() failed (111: Connection refused) while connecting to upstream`, true},
	{"warn", `a client request body is buffered to a temporary file /var/cache/nginx/client_temp/00000%04d`, true},
	{"info", `client %s closed keepalive connection`, false},
	{"notice", `signal process started`, false},
	{"crit", `SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking`, true},
}

// NginxErrorLines returns n nginx error log lines; the same seed gives the same lines.
func NginxErrorLines(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	out := make([][]byte, n)
	for i := range out {
		e := nginxErrors[r.IntN(len(nginxErrors))]
		client := fmt.Sprintf("%d.%d.%d.%d", 10+r.IntN(200), r.IntN(256), r.IntN(256), 1+r.IntN(254))
		path := paths[r.IntN(len(paths))]
		var msg string
		switch {
		case strings.Contains(e.msg, "%s") && e.request:
			msg = fmt.Sprintf(e.msg, path)
		case strings.Contains(e.msg, "%s"):
			msg = fmt.Sprintf(e.msg, client)
		case strings.Contains(e.msg, "%04d"):
			msg = fmt.Sprintf(e.msg, r.IntN(10000))
		default:
			msg = e.msg
		}
		pid := 20 + r.IntN(8)
		b := fmt.Appendf(nil, "%s [%s] %d#%d: ", start.Add(time.Duration(i)*53*time.Millisecond).Format("2006/01/02 15:04:05"),
			e.level, pid, pid)
		if !e.request {
			out[i] = append(b, msg...)
			continue
		}
		b = fmt.Appendf(b, `*%d %s, client: %s, server: example.com, request: "%s %s HTTP/1.1"`,
			1+r.IntN(100000), msg, client, methods[r.IntN(len(methods))], path)
		if strings.Contains(msg, "upstream") {
			b = fmt.Appendf(b, `, upstream: "http://10.0.0.%d:8080%s"`, 1+r.IntN(9), path)
		}
		out[i] = fmt.Appendf(b, `, host: "example.com"`)
	}
	return out
}
