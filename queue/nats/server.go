package nats

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsio "github.com/nats-io/nats.go"
)

// readyTimeout bounds the embedded server's start, which recovers its streams from disk.
const readyTimeout = 2 * time.Minute

// payloadSlack is room beyond MaxMessageBytes for a message's subject and headers.
const payloadSlack = 64 << 10

// embedded is a NATS server with JetStream inside the process, and the lock on its store.
type embedded struct {
	*server.Server
	lock *os.File
}

func (e *embedded) stop() {
	e.Shutdown()
	e.WaitForShutdown()
	if e.lock != nil {
		_ = e.lock.Close()
	}
}

// startEmbedded starts a NATS server with JetStream inside the process, listening on no
// port, with its file store in cfg.Dir.
func startEmbedded(cfg Config) (*embedded, error) {
	lock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: "trolly-embedded",
		JetStream:  true,
		StoreDir:   cfg.Dir,
		DontListen: true,
		NoSigs:     true,
		NoLog:      true,
		// With fsync "always", Publish syncs what the server wrote (see syncer).
		SyncAlways: false,
		MaxPayload: int32(min(cfg.MaxMessageBytes+payloadSlack, maxMessageBytes)),
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		if lock != nil {
			_ = lock.Close()
		}
		return nil, fmt.Errorf("configure embedded server: %w", err)
	}
	e := &embedded{Server: srv, lock: lock}
	srv.Start()
	if !srv.ReadyForConnections(readyTimeout) {
		e.stop()
		return nil, fmt.Errorf("embedded server in %s: not ready after %s", cfg.Dir, readyTimeout)
	}
	return e, nil
}

// connect opens the connection to the cluster, or to srv when it is not nil.
func connect(cfg Config, srv *embedded, events []natsio.Option) (*natsio.Conn, error) {
	opts := append(events,
		natsio.Name(cfg.ConnectionName),
		natsio.MaxReconnects(-1),
		natsio.ReconnectWait(250*time.Millisecond),
	)
	if srv != nil {
		opts = append(opts, natsio.InProcessServer(srv.Server))
		nc, err := natsio.Connect("", opts...)
		if err != nil {
			return nil, fmt.Errorf("connect to the embedded server: %w", err)
		}
		return nc, nil
	}
	if cfg.User != "" {
		opts = append(opts, natsio.UserInfo(cfg.User, cfg.Password))
	}
	if cfg.CredsFile != "" {
		opts = append(opts, natsio.UserCredentials(cfg.CredsFile))
	}
	if cfg.CAFile != "" {
		opts = append(opts, natsio.RootCAs(cfg.CAFile))
	}
	if cfg.CertFile != "" {
		opts = append(opts, natsio.ClientCert(cfg.CertFile, cfg.KeyFile))
	}
	nc, err := natsio.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redact(cfg.URL), err)
	}
	return nc, nil
}

// redact drops the credentials from the URLs of a server list.
func redact(urls string) string {
	var out []string
	for _, u := range splitURLs(urls) {
		if at := strings.LastIndex(u, "@"); at >= 0 {
			if scheme := strings.Index(u, "://"); scheme >= 0 && scheme < at {
				u = u[:scheme+3] + "***" + u[at:]
			}
		}
		out = append(out, u)
	}
	return strings.Join(out, ",")
}

func splitURLs(urls string) []string {
	var out []string
	for u := range strings.SplitSeq(urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		out = append(out, urls)
	}
	return out
}
