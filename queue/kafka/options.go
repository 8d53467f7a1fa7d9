package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// batchHeadroom is added to max_message_bytes for the record key, headers and batch
// framing, in the producer's batch limit and the max.message.bytes of created topics.
const batchHeadroom = 64 << 10

// clientOptions are the options of every client: brokers, identity, TLS and SASL.
func (c Config) clientOptions(logger *slog.Logger) ([]kgo.Opt, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ClientID(c.ClientID),
		kgo.WithLogger(newKgoLogger(logger)),
	}
	tc, err := c.TLS.config()
	if err != nil {
		return nil, err
	}
	if tc != nil {
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if m := c.SASL.mechanism(); m != nil {
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// producerOptions make the producer idempotent with acks=all, so that a retried batch is
// neither lost nor duplicated and a key's records keep their order.
func (c Config) producerOptions() []kgo.Opt {
	codecs, _ := codec(c.Compression) // validated
	return []kgo.Opt{
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerBatchMaxBytes(int32(c.MaxMessageBytes + batchHeadroom)),
		kgo.ProducerBatchCompression(codecs...),
		kgo.ProducerLinger(c.Linger),
	}
}

// groupOptions are the options of a consumer of kafka group kgroup on kafka topic
// ktopic. Manual commits and BlockRebalanceOnPoll let the consumer commit only what it
// owns; see consumer.go.
func (c Config) groupOptions(ktopic, kgroup string, revoked, lost func(context.Context, *kgo.Client, map[string][]int32)) []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(kgroup),
		kgo.ConsumeTopics(ktopic),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsRevoked(revoked),
		kgo.OnPartitionsLost(lost),
		// Partitions without a commit (added after Declare) start at their beginning:
		// re-reading is safe, skipping is loss.
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(c.FetchMaxWait),
		kgo.HeartbeatInterval(c.HeartbeatInterval),
		kgo.SessionTimeout(c.SessionTimeout),
		kgo.RebalanceTimeout(c.RebalanceTimeout),
	}
}

// codec maps the compression key to franz-go codecs.
func codec(name string) ([]kgo.CompressionCodec, error) {
	switch strings.ToLower(name) {
	case "none":
		return []kgo.CompressionCodec{kgo.NoCompression()}, nil
	case "gzip":
		return []kgo.CompressionCodec{kgo.GzipCompression()}, nil
	case "snappy":
		return []kgo.CompressionCodec{kgo.SnappyCompression()}, nil
	case "lz4":
		return []kgo.CompressionCodec{kgo.Lz4Compression()}, nil
	case "zstd":
		return []kgo.CompressionCodec{kgo.ZstdCompression()}, nil
	}
	return nil, fmt.Errorf("must be none, gzip, snappy, lz4 or zstd, got %q", name)
}

// config builds the TLS configuration, nil when TLS is off. Errors name the key whose
// file could not be used.
func (t TLSConfig) config() (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	// InsecureSkipVerify is opt-in and documented as for tests only.
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.InsecureSkipVerify}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.ca_file: no PEM certificate in %s", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls.cert_file, tls.key_file: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// mechanism returns the SASL mechanism, nil when SASL is off.
func (s SASLConfig) mechanism() sasl.Mechanism {
	switch s.Mechanism {
	case SASLPlain:
		return plain.Auth{User: s.Username, Pass: s.Password}.AsMechanism()
	case SASLScramSHA256:
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha256Mechanism()
	case SASLScramSHA512:
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha512Mechanism()
	}
	return nil
}

// kgoLogger sends franz-go's logs to slog. Its info level (every join and assignment) is
// logged at debug, so that a healthy cluster stays quiet.
type kgoLogger struct {
	l *slog.Logger
}

func newKgoLogger(l *slog.Logger) kgoLogger { return kgoLogger{l: l.With("lib", "franz-go")} }

func (k kgoLogger) Level() kgo.LogLevel {
	if k.l.Enabled(context.Background(), slog.LevelDebug) {
		return kgo.LogLevelInfo
	}
	return kgo.LogLevelWarn
}

func (k kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	lvl := slog.LevelDebug
	switch level {
	case kgo.LogLevelError:
		lvl = slog.LevelError
	case kgo.LogLevelWarn:
		lvl = slog.LevelWarn
	}
	k.l.Log(context.Background(), lvl, msg, keyvals...)
}
