package gateway

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/trolly-logs/trolly/ingest/syslog"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
)

// captureQueue keeps what is published; the listeners call nothing else.
type captureQueue struct {
	queue.Queue
	mu   sync.Mutex
	msgs []queue.Message
}

func (q *captureQueue) Publish(_ context.Context, _ string, msgs ...queue.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, msgs...)
	return nil
}

func (q *captureQueue) take() []queue.Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.msgs
	q.msgs = nil
	return out
}

// FuzzSyslogConn feeds a connection arbitrary bytes: it must end, and whatever it
// publishes is within the size limit, belongs to a tenant whose token was sent, and
// carries no auth element.
func FuzzSyslogConn(f *testing.F) {
	tok := `[auth@32473 token="a-in"]`
	f.Add([]byte(counted(msg("app", tok, "one"), msg("nginx", `[auth@32473 token="b-in" stream="secret"]`, "two"))))
	f.Add([]byte(msg("app", tok+`[meta x="1"]`, "lf") + "\n" + msg("WEB", `[auth token="a-in"]`, "x") + "\r\n"))
	f.Add([]byte("99999 " + msg("app", tok, "short count")))
	f.Add([]byte(msg("app", `[auth@32473 token="a-in" token="b-in"][auth token="b-in"]`, "twice")))
	f.Add([]byte("<13>Jan  2 15:04:05 host sshd[12]: no token\n"))
	fx := newSyslogFixture(f, 0, func(c *Config) { c.Syslog.MaxMessageBytes, c.Syslog.BatchRecords = 300, 4 })
	cq := &captureQueue{}
	fx.gw.q = cq
	fx.gw.now = time.Now // a frozen clock would never refill the tenants' budgets
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, wire []byte) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			fx.gw.serveSyslogConn(ctx, ctx, server, protoSyslogTCP, time.Now().Add(time.Minute))
		}()
		_, _ = client.Write(wire) // fails once the server closed its end
		client.Close()
		<-done
		var ar syslog.AuthReader
		for _, m := range cq.take() {
			b := &trollyv1.RawBatch{}
			if err := proto.Unmarshal(m.Body, b); err != nil {
				t.Fatal(err)
			}
			if b.GetTenantId() != "a" && b.GetTenantId() != "b" {
				t.Fatalf("batch of tenant %q", b.GetTenantId())
			}
			for _, r := range b.GetRecords() {
				if len(r.GetData()) > 300 {
					t.Fatalf("record of %d bytes", len(r.GetData()))
				}
				if a := ar.Read(r.GetData()); a.Token != nil {
					t.Fatalf("token left in %q", r.GetData())
				}
			}
		}
	})
}
