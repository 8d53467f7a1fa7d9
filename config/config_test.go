package config

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/configtest"
	"github.com/trolly-logs/trolly/tenant"
)

// load runs the whole sequence a process runs.
func load(t *testing.T, path string, environ []string) (*Config, error) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	c, err := Parse(f)
	if err != nil {
		return nil, err
	}
	if err := c.ApplyEnv(environ); err != nil {
		return nil, err
	}
	c.ApplyDefaults()
	return c, c.Validate()
}

func TestBadConfigs(t *testing.T) {
	configtest.RunBadFunc(t, "testdata", func(t *testing.T, path string) error {
		_, err := load(t, path, nil)
		return err
	})
}

func TestDevConfig(t *testing.T) {
	c, err := load(t, "../deploy/dev/trolly.yaml", nil)
	require.NoError(t, err)
	dir, err := tenant.NewStatic(c.Tenants)
	require.NoError(t, err)
	for _, tc := range []struct {
		key    string
		tenant string
		scope  tenant.Scope
	}{
		{"demo-ingest-key", "demo", tenant.ScopeIngest},
		{"demo-read-key", "demo", tenant.ScopeRead},
		{"acme-ingest-key", "acme", tenant.ScopeIngest},
		{"acme-read-key", "acme", tenant.ScopeRead},
	} {
		p, err := dir.Authenticate(context.Background(), tc.key)
		require.NoError(t, err, tc.key)
		require.Equal(t, tc.tenant, p.TenantID, tc.key)
		require.Equal(t, []tenant.Scope{tc.scope}, p.Scopes, tc.key)
	}
	for _, id := range []string{"demo", "acme"} {
		for name, st := range map[string]string{"web": "nginx_access", "app": "json"} {
			s, err := dir.Stream(context.Background(), id, name)
			require.NoError(t, err)
			require.Equal(t, st, s.SourceType)
		}
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse(strings.NewReader(""))
	require.NoError(t, err)
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, "127.0.0.1:8080", c.API.Listen)
	require.Equal(t, "127.0.0.1:8088", c.Gateway.Listen)
	require.Equal(t, "./data", c.DataDir)
	require.Equal(t, filepath.Join("data", "search"), c.Search.Embedded.Dir)
	require.Equal(t, SearchEmbedded, c.Search.Driver)
	require.Equal(t, filepath.Join("data", "archive"), c.Archive.FS.Dir)
}

func TestEnv(t *testing.T) {
	c, err := Parse(strings.NewReader("gateway:\n  max_body_bytes: 100\n"))
	require.NoError(t, err)
	err = c.ApplyEnv([]string{
		"PATH=/bin",
		"TROLLY_DATA_DIR=/var/lib/trolly",
		"TROLLY_GATEWAY_MAX_BODY_BYTES=2097152",
		"TROLLY_API_LISTEN=0.0.0.0:9000",
		"TROLLY_SHUTDOWN_TIMEOUT=5s",
	})
	require.NoError(t, err)
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, int64(2<<20), c.Gateway.MaxBodyBytes)
	require.Equal(t, "0.0.0.0:9000", c.API.Listen)
	require.Equal(t, 5*time.Second, c.ShutdownTimeout)
	require.Equal(t, filepath.Join("/var/lib/trolly", "search"), c.Search.Embedded.Dir, "stores follow the data dir")
	require.Equal(t, filepath.Join("/var/lib/trolly", "catalog.db"), c.Metadata.DSN)

	c = &Config{}
	require.NoError(t, c.ApplyEnv([]string{
		"TROLLY_METADATA_DRIVER=postgres",
		"TROLLY_METADATA_DSN=postgres://trolly@db:5432/trolly",
		"TROLLY_BOOTSTRAP_OPERATOR_EMAIL=ops@example.com",
		"TROLLY_BOOTSTRAP_OPERATOR_PASSWORD=a long enough password",
	}))
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, "postgres://trolly@db:5432/trolly", c.Metadata.DSN)
	require.Equal(t, "ops@example.com", c.Bootstrap.OperatorEmail, "the first operator comes from the environment")

	c = &Config{}
	require.NoError(t, c.ApplyEnv([]string{
		"TROLLY_QUEUE_DRIVER=kafka",
		"TROLLY_QUEUE_KAFKA_BROKERS=k1:9092, k2:9092,",
		"TROLLY_QUEUE_KAFKA_CREATE_TOPICS=false",
	}))
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, []string{"k1:9092", "k2:9092"}, c.Queue.Kafka.Brokers, "lists are comma-separated")
	require.NotNil(t, c.Queue.Kafka.CreateTopics)
	require.False(t, *c.Queue.Kafka.CreateTopics, "an optional value set from the environment")

	c = &Config{}
	require.NoError(t, c.ApplyEnv([]string{
		"TROLLY_INDEXER_UNREADY_AFTER=2m",
		"TROLLY_ARCHIVER_DEAD_LETTER_ATTEMPTS=3",
		"TROLLY_QUEUE_MEMORY_MAX_BACKLOG_BYTES=536870912",
	}))
	require.Equal(t, 2*time.Minute, c.Indexer.UnreadyAfter, "fields of an inline section")
	require.Equal(t, 3, c.Archiver.DeadLetterAttempts)
	require.Equal(t, int64(512<<20), c.Queue.Memory.MaxBacklogBytes)

	c = &Config{DataDir: "/var/lib/trolly"}
	require.NoError(t, c.ApplyEnv([]string{"TROLLY_QUEUE_DRIVER=nats", "TROLLY_QUEUE_NATS_EMBEDDED=true"}))
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, filepath.Join("/var/lib/trolly", "queue"), c.Queue.NATS.Dir, "the embedded queue's store is under data_dir")
	require.Equal(t, "always", c.Queue.NATS.Fsync, "the embedded queue syncs before acknowledging")
	require.Empty(t, c.Queue.NATS.URL)

	c = &Config{}
	require.NoError(t, c.ApplyEnv([]string{"TROLLY_QUEUE_DRIVER=nats", "TROLLY_QUEUE_NATS_URL=nats://n1:4222,nats://n2:4222"}))
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Empty(t, c.Queue.NATS.Dir, "a cluster has no local store")

	c = &Config{}
	err = c.ApplyEnv([]string{"TROLLY_GATEWAY_MAX_BODY=1", "TROLLY_SHUTDOWN_TIMEOUT=soon", "TROLLY_TENANTS=x"})
	require.ErrorContains(t, err, "TROLLY_GATEWAY_MAX_BODY: names no configuration key")
	require.ErrorContains(t, err, `TROLLY_SHUTDOWN_TIMEOUT: "soon" is not a valid time.Duration`)
	require.ErrorContains(t, err, "TROLLY_TENANTS: names no configuration key")
}

// A tenant's share of the backlog defaults to a quarter of the whole, but never below what
// a healthy archiver holds of one tenant, and never above the whole.
func TestTenantBacklogDefaults(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		total, buffered, want int64
	}{
		{"nats default", 0, 0, 256 << 20},
		{"a quarter of a large total", 8 << 30, 0, 2 << 30},
		{"the archiver's buffer and four bodies", 2 << 30, 512 << 20, 512<<20 + 40<<20},
		{"at most the total: off", 100 << 20, 0, 100 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Config{}
			c.Queue.Driver = "nats"
			c.Queue.NATS.MaxBacklogBytes, c.Archiver.MaxBufferedBytes = tc.total, tc.buffered
			c.ApplyDefaults()
			require.NoError(t, c.Validate())
			require.Equal(t, tc.want, c.Queue.NATS.MaxTenantBacklogBytes)
		})
	}
	c := &Config{}
	c.ApplyDefaults()
	require.Equal(t, int64(192<<20), c.Queue.Memory.MaxTenantBacklogBytes, "three quarters of the memory queue's 256 MiB")
}

func TestEnvNamesCoverScalars(t *testing.T) {
	names := EnvNames()
	for _, want := range []string{"TROLLY_DATA_DIR", "TROLLY_GATEWAY_LISTEN", "TROLLY_API_LISTEN", "TROLLY_ADMIN_LISTEN", "TROLLY_QUEUE_DRIVER", "TROLLY_LOG_LEVEL"} {
		require.Contains(t, names, want)
	}
	require.NotContains(t, names, "TROLLY_TENANTS")
}

// TestReadmeStreamExample keeps the README's example of a stream's parser settings valid.
func TestReadmeStreamExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	start := bytes.Index(readme, []byte("```yaml\nstreams:\n  - name: checkout"))
	require.GreaterOrEqual(t, start, 0, "the example is in the README")
	block := readme[start+len("```yaml\n"):]
	block = block[:bytes.Index(block, []byte("```"))]
	var doc bytes.Buffer
	doc.WriteString("tenants:\n  - id: demo\n")
	for _, line := range bytes.SplitAfter(block, []byte("\n")) {
		doc.WriteString("    ")
		doc.Write(line)
	}
	path := filepath.Join(t.TempDir(), "trolly.yaml")
	require.NoError(t, os.WriteFile(path, doc.Bytes(), 0o600))
	_, err = load(t, path, nil)
	require.NoError(t, err, "%s", doc.String())
}

func TestMemoryLimit(t *testing.T) {
	c, err := Parse(strings.NewReader("memory_limit: 1000\n"))
	require.NoError(t, err)
	c.ApplyDefaults()
	require.ErrorContains(t, c.Validate(), "memory_limit: must be 0 (none) or at least 64 MiB, got 1000")

	c = &Config{}
	require.NoError(t, c.ApplyEnv([]string{"TROLLY_MEMORY_LIMIT=536870912"}))
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, int64(512<<20), c.MemoryLimit)
}
