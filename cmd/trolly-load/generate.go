package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"
)

// distinctBatches is how many different request bodies are made; the load cycles through
// them so that making lines costs the generator almost nothing during the run.
const distinctBatches = 64

// makeBodies returns request bodies of n combined-format lines each, with varied clients,
// paths, statuses and agents, timestamped within the hour before now.
func makeBodies(n int, now time.Time) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	methods := []string{"GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD"}
	statuses := []int{200, 200, 200, 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 404, 500, 502, 503}
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
		"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
		"curl/8.5.0", "Go-http-client/1.1", "kube-probe/1.29",
	}
	paths := []string{"/", "/index.html", "/api/v1/orders", "/api/v1/users/%d", "/static/app.%d.js", "/search?q=item%d", "/login", "/cart/%d"}
	bodies := make([][]byte, distinctBatches)
	for b := range bodies {
		var buf bytes.Buffer
		for range n {
			at := now.Add(-time.Duration(rng.IntN(3600)) * time.Second)
			path := paths[rng.IntN(len(paths))]
			if bytes.Contains([]byte(path), []byte("%d")) {
				path = fmt.Sprintf(path, rng.IntN(100000))
			}
			referrer := "-"
			if rng.IntN(3) == 0 {
				referrer = "https://www.example.com/"
			}
			fmt.Fprintf(&buf, "%d.%d.%d.%d - - [%s] \"%s %s HTTP/1.1\" %d %d %q %q\n",
				10+rng.IntN(200), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254),
				at.Format("02/Jan/2006:15:04:05 -0700"), methods[rng.IntN(len(methods))], path,
				statuses[rng.IntN(len(statuses))], rng.IntN(50000), referrer, agents[rng.IntN(len(agents))])
		}
		bodies[b] = buf.Bytes()
	}
	return bodies
}
