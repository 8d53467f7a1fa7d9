package main

import (
	"context"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/api/auth"
	"github.com/trolly-logs/trolly/config"
	"github.com/trolly-logs/trolly/processor"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/postgres"
	catalogsqlite "github.com/trolly-logs/trolly/tenant/sqlite"
)

// openCatalog opens the configured catalog, migrating its schema.
func openCatalog(ctx context.Context, m config.Metadata) (tenant.Catalog, error) {
	switch m.Driver {
	case "postgres":
		c, err := postgres.Open(ctx, m.DSN, tenant.StoreOptions{})
		if err != nil {
			return nil, fmt.Errorf("open the postgres catalog: %w", err)
		}
		return c, nil
	default:
		c, err := catalogsqlite.Open(ctx, m.DSN, tenant.StoreOptions{})
		if err != nil {
			return nil, fmt.Errorf("open the sqlite catalog %s: %w", m.DSN, err)
		}
		return c, nil
	}
}

// needsCatalog reports whether the process's layers resolve tenants: the gateway (keys,
// streams, limits), the processor (stream settings), the indexer (retention) and the API.
func (b *builder) needsCatalog() bool {
	// The archiver reads the tombstones of deleted tenants to purge their archive.
	return b.has(layerGateway) || b.has(layerProcessor) || b.has(layerIndexer) || b.has(layerArchiver) || b.has(layerAPI)
}

// openTenants opens the catalog, imports the configuration file's tenants, makes the first
// operator when asked to, and loads the cache every layer reads tenants from.
func (b *builder) openTenants(ctx context.Context) error {
	cat, err := openCatalog(ctx, b.cfg.Metadata)
	if err != nil {
		return err
	}
	b.cat = cat
	b.closers = append(b.closers, cat.Close)
	log := b.log.With("component", "catalog")
	if err := tenant.SyncConfig(ctx, cat, b.cfg.Tenants, processor.RoutedBy, log); err != nil {
		return err
	}
	if bs := b.cfg.Bootstrap; bs.OperatorEmail != "" {
		created, err := auth.EnsureOperator(ctx, cat, bs.OperatorEmail, bs.OperatorPassword, b.cfg.Auth.Password)
		if err != nil {
			return fmt.Errorf("make the first operator: %w", err)
		}
		if created {
			log.Info("made the first operator account", "email", bs.OperatorEmail)
		}
	}
	b.dir = tenant.NewCache(cat, log, time.Now)
	if err := b.dir.Refresh(ctx); err != nil {
		return err
	}
	b.background.add("catalog", func(ctx context.Context) error { return b.dir.Run(ctx, b.cfg.Metadata.RefreshInterval) })
	return nil
}

// declareStreams declares, in the process that publishes them, the raw queue of every
// stream, at start and whenever a stream is created, so that it exists with its tenant's
// limit before the first batch; consumers learn of it from the broker.
func (b *builder) declareStreams(ctx context.Context) error {
	kd, ok := b.q.(keyDeclarer)
	if !ok || !b.has(layerGateway) {
		return nil
	}
	snap, err := b.dir.Snapshot()
	if err != nil {
		return err
	}
	declared := map[string]bool{}
	declare := func(ctx context.Context, s tenant.Snapshot) error {
		for _, st := range s.Streams {
			key := st.TenantID + "/" + st.Name
			if declared[key] {
				continue
			}
			if err := kd.DeclareKey(ctx, queue.TopicRaw, key); err != nil {
				return fmt.Errorf("declare the queue of stream %s: %w", key, err)
			}
			declared[key] = true
		}
		return nil
	}
	if err := declare(ctx, snap); err != nil {
		return err
	}
	b.dir.OnChange(func(s tenant.Snapshot) {
		// Called by the cache's loop before it serves s; a failure is retried at the next change.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := declare(ctx, s); err != nil {
			b.log.Error("declare new streams", "err", err)
		}
	})
	return nil
}
