package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// topology runs each layer as processes of its own on a shared queue.
type topology struct {
	srv   server
	cfg   string
	dir   string
	procs map[string][]*layerProc
}

type layerProc struct {
	*instance
	admin string
}

// startTopology starts an API, an archiver, an indexer, processors and a gateway, each a
// process with its own admin listener, on broker b.
func startTopology(t *testing.T, b broker, processors int) *topology {
	t.Helper()
	dir := t.TempDir()
	// The indexer owns the embedded search engine and serves the API's searches.
	searchAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	engine := fmt.Sprintf("search: {embedded: {listen: %q, url: %q, token: topology-search-token}}", searchAddr, "http://"+searchAddr)
	srv, cfg := writeConfig(t, dir, b.yaml, postgresCatalog(t), engine)
	tp := &topology{srv: srv, cfg: cfg, dir: dir, procs: map[string][]*layerProc{}}
	for _, layer := range []string{"api", "archiver", "indexer"} {
		tp.start(t, layer)
	}
	for range processors {
		tp.start(t, "processor")
	}
	tp.start(t, "gateway")
	return tp
}

// start runs one more process of layer and waits until it is ready.
func (tp *topology) start(t *testing.T, layer string) *layerProc {
	t.Helper()
	admin := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	in := startEnv(t, []string{"TROLLY_ADMIN_LISTEN=" + admin}, layer, "--config", tp.cfg)
	p := &layerProc{instance: in, admin: "http://" + admin}
	ready := []string{p.admin + "/readyz"}
	switch layer {
	case "api":
		ready = append(ready, tp.srv.apiURL+"/readyz")
	case "gateway":
		ready = append(ready, tp.srv.ingestURL+"/readyz")
	}
	in.waitReady(t, ready...)
	tp.procs[layer] = append(tp.procs[layer], p)
	return p
}

// stopAll stops every running process with SIGTERM and requires a clean exit; a process
// the test did not kill must still be running.
func (tp *topology) stopAll(t *testing.T) {
	t.Helper()
	for _, layer := range []string{"gateway", "processor", "indexer", "archiver", "api"} {
		for _, p := range tp.procs[layer] {
			select {
			case <-p.done:
				require.True(t, p.killed, "trolly %s exited on its own (%v):\n%s", layer, p.err, p.logs.String())
				continue
			default:
			}
			require.Equal(t, 0, p.stop(t), "trolly %s exit code", layer)
		}
	}
}

// shipper sends numbered text lines to a tenant's stream "raw" until its context ends,
// retrying refusals after Retry-After, and counts what was accepted.
type shipper struct {
	srv         server
	tenant      string
	accepted    atomic.Int64
	unavailable atomic.Int64 // 503s, each with a Retry-After
	failures    atomic.Int64 // connection errors, 429s and others
}

func (s *shipper) run(ctx context.Context, t *testing.T, lines int) {
	for i := 0; ctx.Err() == nil; i++ {
		var body []byte
		for j := range lines {
			body = fmt.Appendf(body, "%s request %d line %d\n", s.tenant, i, j)
		}
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost,
				s.srv.ingestURL+"/ingest/v1/streams/raw", bytesReader(body))
			req.Header.Set("Authorization", "Bearer "+s.tenant+"-ingest-key")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				s.failures.Add(1)
				time.Sleep(200 * time.Millisecond)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusAccepted {
				s.accepted.Add(int64(lines))
				break
			}
			retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if resp.StatusCode == http.StatusServiceUnavailable && err == nil && retry > 0 {
				s.unavailable.Add(1)
			} else {
				s.failures.Add(1)
				t.Logf("%s: unexpected answer %s", s.tenant, resp.Status)
			}
			time.Sleep(time.Duration(max(retry, 1)) * 200 * time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shipping runs a shipper per tenant; the returned function stops them and returns them.
func shipping(t *testing.T, srv server, tenants ...string) func() []*shipper {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var out []*shipper
	for _, tn := range tenants {
		s := &shipper{srv: srv, tenant: tn}
		out = append(out, s)
		wg.Go(func() { s.run(ctx, t, shipLines) })
	}
	return func() []*shipper {
		cancel()
		wg.Wait()
		return out
	}
}

// shipLines is the number of lines of a shipper's request.
const shipLines = 100

// requireDelivered waits until search holds every line each shipper got accepted, and the
// archive every event search holds. A request answered 503 or cut off may still have
// reached the queue (the broker can take a message whose confirm is lost when its
// connection drops); retried, its lines are then there twice, under two batch ids, as
// at-least-once allows. So search may hold the lines of those requests besides, and no more.
func requireDelivered(t *testing.T, tp *topology, ships []*shipper) {
	t.Helper()
	began := time.Now()
	defer func() { t.Logf("delivered %s after shipping stopped", time.Since(began).Round(100*time.Millisecond)) }()
	from, to := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	most := map[string]int{}
	for _, s := range ships {
		accepted, uncertain := int(s.accepted.Load()), int(s.unavailable.Load()+s.failures.Load())
		t.Logf("%s: %d lines accepted, %d answers 503, %d other failures", s.tenant, accepted, s.unavailable.Load(), s.failures.Load())
		require.Positive(t, accepted, "%s shipped nothing", s.tenant)
		most[s.tenant] = accepted + uncertain*shipLines
		total := waitTotalBetween(t, tp.srv, s.tenant+"-read-key", from, to, accepted, most[s.tenant])
		if extra := total - accepted; extra > 0 {
			t.Logf("%s: %d lines twice, from requests refused after the broker had them", s.tenant, extra)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ids := readArchive(t, filepath.Join(tp.dir, "data", "archive"))
		complete := true
		for _, s := range ships {
			got := len(ids[s.tenant])
			require.LessOrEqual(t, got, most[s.tenant], "%s: more events archived than sent", s.tenant)
			searchable := tp.srv.search(t, s.tenant+"-read-key", "", from, to, 1).total(t)
			complete = complete && got == searchable && got >= int(s.accepted.Load())
		}
		if complete {
			return
		}
		require.True(t, time.Now().Before(deadline), "archive incomplete after 60s")
		time.Sleep(250 * time.Millisecond)
	}
}

// waitTotalBetween polls a search until its total reaches least and stays put, failing
// when it passes most or after a bound; it returns the total.
func waitTotalBetween(t *testing.T, s server, key, from, to string, least, most int) int {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	last, still := -1, 0
	for {
		got := s.search(t, key, "", from, to, 1).total(t)
		require.LessOrEqual(t, got, most, "more events than were sent")
		if got >= least && got == last {
			if still++; still >= 15 { // three seconds without change: nothing is in flight
				return got
			}
		} else {
			still = 0
		}
		last = got
		require.True(t, time.Now().Before(deadline), "%d of at least %d events searchable after 90s", got, least)
		time.Sleep(200 * time.Millisecond)
	}
}

// TestMultiProcess runs every layer as its own process on RabbitMQ, Kafka and NATS, with two
// processors, and kills a processor and then the indexer with SIGKILL while lines flow:
// every accepted line must end up in search, and in the archive (see requireDelivered).
func TestMultiProcess(t *testing.T) {
	for _, b := range []struct {
		name string
		open func(*testing.T) broker
	}{{"rabbitmq", sharedRabbit}, {"kafka", kafkaFake}, {"nats", sharedNATS}} {
		t.Run(b.name, func(t *testing.T) {
			tp := startTopology(t, b.open(t), 2)
			stop := shipping(t, tp.srv, "demo", "acme")
			time.Sleep(2 * time.Second)
			tp.procs["processor"][0].kill(t)
			time.Sleep(2 * time.Second)
			tp.procs["indexer"][0].kill(t)
			time.Sleep(time.Second)
			tp.start(t, "indexer")
			time.Sleep(2 * time.Second)
			ships := stop()
			requireDelivered(t, tp, ships)
			from, to := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
			requireCallsAgree(t, tp.srv, "demo", "acme", from, to)
			requireCallsAgree(t, tp.srv, "acme", "demo", from, to)
			tp.stopAll(t)
		})
	}
}
