package tenant_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor"
	"github.com/trolly-logs/trolly/tenant"
)

func TestSyncConfig(t *testing.T) {
	ctx := context.Background()
	cat := openCatalog(t)
	log := slog.New(slog.DiscardHandler)
	cfg := []tenant.Config{{
		ID: "demo", Name: "Demo", RetentionDays: 30,
		Limits:  tenant.Limits{IngestBytesPerSecond: 1 << 20},
		Keys:    []tenant.KeyConfig{{Name: "in", Scope: tenant.ScopeIngest, Hash: tenant.HashKey("demo-in")}},
		Streams: []tenant.StreamConfig{{Name: "web", SourceType: "nginx_access"}, {Name: "app", SourceType: "json"}},
	}}
	require.NoError(t, tenant.SyncConfig(ctx, cat, cfg, processor.RoutedBy, log))
	v1, err := cat.Version(ctx)
	require.NoError(t, err)
	require.NoError(t, tenant.SyncConfig(ctx, cat, cfg, processor.RoutedBy, log))
	v2, err := cat.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, v1, v2, "a second sync of the same file changes nothing")

	tn, err := cat.GetTenant(ctx, "demo")
	require.NoError(t, err)
	require.Equal(t, tenant.ManagedByConfig, tn.ManagedBy)
	require.Equal(t, 30, tn.Retention.SearchDays)
	require.Equal(t, int64(1<<20), tn.Limits.IngestBytesPerSecond)

	// The file changes: a stream goes, a source type, parser settings and a key change, the
	// rate doubles.
	parser := map[string]any{"timezone": "Europe/Paris", "pipeline": []any{map[string]any{"remove": map[string]any{"fields": []any{"user.name"}}}}}
	cfg[0].Streams = []tenant.StreamConfig{{Name: "web", SourceType: "apache_access", Parser: parser}}
	cfg[0].Keys[0].Hash = tenant.HashKey("demo-in-2")
	cfg[0].Limits.IngestBytesPerSecond = 2 << 20
	require.NoError(t, tenant.SyncConfig(ctx, cat, cfg, processor.RoutedBy, log))
	snap, err := cat.Snapshot(ctx)
	require.NoError(t, err)
	require.Len(t, snap.Streams, 1)
	require.Equal(t, "apache_access", snap.Streams[0].SourceType)
	require.JSONEq(t, `{"timezone":"Europe/Paris","pipeline":[{"remove":{"fields":["user.name"]}}]}`, string(snap.Streams[0].Parser))
	v3, err := cat.Version(ctx)
	require.NoError(t, err)
	require.NoError(t, tenant.SyncConfig(ctx, cat, cfg, processor.RoutedBy, log))
	v4, err := cat.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, v3, v4, "parser settings the store reordered are still the file's")
	require.Len(t, snap.Keys, 1, "the old key is revoked")
	require.Equal(t, tenant.HashKey("demo-in-2"), snap.Keys[0].Hash)
	require.Equal(t, int64(2<<20), snap.Tenants[0].Limits.IngestBytesPerSecond)

	// What the API made is not taken over.
	_, err = cat.CreateStream(ctx, cli, tenant.Stream{TenantID: "demo", Name: "api-made", SourceType: "text"})
	require.NoError(t, err)
	cfg[0].Streams = append(cfg[0].Streams, tenant.StreamConfig{Name: "api-made", SourceType: "json"})
	err = tenant.SyncConfig(ctx, cat, cfg, processor.RoutedBy, log)
	require.ErrorIs(t, err, tenant.ErrConflict)
	require.ErrorContains(t, err, `stream "api-made" exists and was not made by the configuration file`)

	// A stream the file drops is kept while a stream the API made routes to it.
	cfg[0].Streams = []tenant.StreamConfig{{Name: "web", SourceType: "apache_access"}, {Name: "errors", SourceType: "json"}}
	require.NoError(t, tenant.SyncConfig(ctx, cat, cfg, processor.RoutedBy, log))
	_, err = cat.UpdateStream(ctx, cli, tenant.Stream{TenantID: "demo", Name: "api-made", SourceType: "text",
		Parser: []byte(`{"pipeline":[{"route":{"if":"log.level:error","stream":"errors"}}]}`)})
	require.NoError(t, err)
	cfg[0].Streams = cfg[0].Streams[:1]
	err = tenant.SyncConfig(ctx, cat, cfg, processor.RoutedBy, log)
	require.ErrorIs(t, err, tenant.ErrInvalid)
	require.ErrorContains(t, err, `stream "errors" left the configuration file, but stream "api-made" routes events to it`)
	_, err = cat.GetStream(ctx, "demo", "errors")
	require.NoError(t, err, "kept")
	require.NoError(t, cat.DeleteStream(ctx, cli, "demo", "api-made"))
	require.NoError(t, tenant.SyncConfig(ctx, cat, cfg, processor.RoutedBy, log))
	_, err = cat.GetStream(ctx, "demo", "errors")
	require.ErrorIs(t, err, tenant.ErrNotFound, "deleted once nothing routes to it")

	// A tenant that leaves the file is kept.
	require.NoError(t, tenant.SyncConfig(ctx, cat, nil, processor.RoutedBy, log))
	_, err = cat.GetTenant(ctx, "demo")
	require.NoError(t, err)

	entries, _, err := cat.ListAudit(ctx, tenant.AuditFilter{TenantID: "demo", Action: "key."}, tenant.Page{})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	require.Equal(t, "config", entries[0].Actor.Kind, "changes are recorded as the configuration file's")
}
