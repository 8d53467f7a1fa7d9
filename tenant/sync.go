package tenant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
)

// errTakeover marks a record of the file's that the API made first: starting again will
// not help.
var errTakeover = errors.New("was not made by the configuration file")

// RoutedBy returns the first of a tenant's streams, other than the one named, whose
// pipeline routes or duplicates events to the stream named (processor.RoutedBy: this
// package does not read pipelines).
type RoutedBy func(streams []Stream, name string) (string, bool)

// configActor is who the configuration file's changes are recorded as.
var configActor = Actor{Kind: "config", Name: "configuration file"}

// SyncConfig makes the catalog hold the configuration file's tenants: each with a plan of
// its own (named after it), its streams and its keys, all marked ManagedBy "config".
// What the file no longer lists is removed: its streams deleted, its keys revoked; a
// tenant itself is kept (deleting one is a decision for `trolly admin`), with a warning.
// Records of the same name made through the API are never taken over: that is an error.
// A stream that another stream's pipeline still routes to (as routedBy reads it; nil reads
// none) is not deleted: that is an error too.
// Processes starting together may race; a conflict makes the sync start again.
func SyncConfig(ctx context.Context, cat Catalog, cfgs []Config, routedBy RoutedBy, logger *slog.Logger) error {
	var err error
	for range 3 {
		if err = syncOnce(ctx, cat, cfgs, routedBy, logger); !errors.Is(err, ErrConflict) || errors.Is(err, errTakeover) {
			return err
		}
	}
	return err
}

func syncOnce(ctx context.Context, cat Catalog, cfgs []Config, routedBy RoutedBy, logger *slog.Logger) error {
	listed := map[string]bool{}
	for _, c := range cfgs {
		listed[c.ID] = true
		if err := syncTenant(ctx, cat, c, routedBy); err != nil {
			return fmt.Errorf("sync tenant %s from the configuration: %w", c.ID, err)
		}
	}
	return eachPage(func(p Page) ([]Tenant, string, error) { return cat.ListTenants(ctx, p) }, func(t Tenant) error {
		if t.ManagedBy == ManagedByConfig && !listed[t.ID] {
			logger.Warn("tenant left the configuration file and is kept; delete it with `trolly admin tenants delete`", "tenant", t.ID)
		}
		return nil
	})
}

func syncTenant(ctx context.Context, cat Catalog, c Config, routedBy RoutedBy) error {
	plan := c.Plan()
	old, err := cat.GetPlan(ctx, plan.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		_, err = cat.CreatePlan(ctx, configActor, plan)
	case err != nil:
	case old.ManagedBy != ManagedByConfig:
		err = fmt.Errorf("plan %q exists and %w: %w", plan.ID, errTakeover, ErrConflict)
	case old.Name != plan.Name || old.Limits != plan.Limits || old.Retention != plan.Retention:
		_, err = cat.UpdatePlan(ctx, configActor, plan)
	}
	if err != nil {
		return err
	}
	want := Tenant{ID: c.ID, Name: c.name(), PlanID: plan.ID, ManagedBy: ManagedByConfig}
	t, err := cat.GetTenant(ctx, c.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		_, err = cat.CreateTenant(ctx, configActor, want)
	case err != nil:
	case t.ManagedBy != ManagedByConfig:
		err = fmt.Errorf("tenant %q exists and %w: %w", c.ID, errTakeover, ErrConflict)
	case t.Name != want.Name || t.PlanID != want.PlanID:
		_, err = cat.UpdateTenant(ctx, configActor, want)
	}
	if err != nil {
		return err
	}
	if err := syncStreams(ctx, cat, c, routedBy); err != nil {
		return err
	}
	return syncKeys(ctx, cat, c)
}

func syncStreams(ctx context.Context, cat Catalog, c Config, routedBy RoutedBy) error {
	all, err := AllStreams(ctx, cat, c.ID)
	if err != nil {
		return err
	}
	have := map[string]Stream{}
	for _, s := range all {
		have[s.Name] = s
	}
	listed := map[string]bool{}
	for _, sc := range c.Streams {
		listed[sc.Name] = true
		old, ok := have[sc.Name]
		parser, err := sc.ParserJSON()
		if err != nil {
			return fmt.Errorf("stream %q: parser %w: %w", sc.Name, err, ErrInvalid)
		}
		want := Stream{TenantID: c.ID, Name: sc.Name, SourceType: sc.SourceType, Parser: parser, ManagedBy: ManagedByConfig}
		switch {
		case !ok:
			_, err = cat.CreateStream(ctx, configActor, want)
		case old.ManagedBy != ManagedByConfig:
			err = fmt.Errorf("stream %q exists and %w: %w", sc.Name, errTakeover, ErrConflict)
		case old.SourceType != sc.SourceType || !sameJSON(old.Parser, parser):
			old.SourceType, old.Parser = sc.SourceType, parser
			_, err = cat.UpdateStream(ctx, configActor, old)
		}
		if err != nil {
			return err
		}
	}
	var gone []string
	for name, s := range have {
		if s.ManagedBy == ManagedByConfig && !listed[name] {
			gone = append(gone, name)
		}
	}
	if err := refuseRouted(ctx, cat, c.ID, gone, routedBy); err != nil {
		return err
	}
	for _, name := range gone {
		if err := cat.DeleteStream(ctx, configActor, c.ID, name); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// refuseRouted refuses to delete the streams gone while a stream that stays routes to one.
func refuseRouted(ctx context.Context, cat Catalog, tenantID string, gone []string, routedBy RoutedBy) error {
	if routedBy == nil || len(gone) == 0 {
		return nil
	}
	all, err := AllStreams(ctx, cat, tenantID)
	if err != nil {
		return err
	}
	staying := slices.DeleteFunc(all, func(s Stream) bool { return slices.Contains(gone, s.Name) })
	slices.Sort(gone)
	for _, name := range gone {
		if from, ok := routedBy(staying, name); ok {
			return fmt.Errorf("stream %q left the configuration file, but stream %q routes events to it: "+
				"remove that route first: %w", name, from, ErrInvalid)
		}
	}
	return nil
}

// syncKeys matches the file's keys to the catalog's by name: a key whose hash or scope
// changed is revoked and made again, since a key's secret never changes.
func syncKeys(ctx context.Context, cat Catalog, c Config) error {
	have := map[string]APIKey{}
	err := eachPage(func(p Page) ([]APIKey, string, error) { return cat.ListKeys(ctx, c.ID, p) }, func(k APIKey) error {
		if k.ManagedBy == ManagedByConfig && k.RevokedAt.IsZero() {
			have[k.Name] = k
		}
		return nil
	})
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, kc := range c.Keys {
		listed[kc.Name] = true
		scopes := []Scope{kc.Scope}
		if old, ok := have[kc.Name]; ok {
			if old.Hash == kc.Hash && slices.Equal(old.Scopes, scopes) {
				continue
			}
			if err := cat.RevokeKey(ctx, configActor, c.ID, old.ID); err != nil {
				return err
			}
		}
		k := APIKey{TenantID: c.ID, Name: kc.Name, Scopes: scopes, Hash: kc.Hash, ManagedBy: ManagedByConfig}
		if _, err := cat.CreateKey(ctx, configActor, k); err != nil {
			return err
		}
	}
	for name, k := range have {
		if !listed[name] {
			if err := cat.RevokeKey(ctx, configActor, c.ID, k.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// AllStreams returns every stream of a tenant, page after page.
func AllStreams(ctx context.Context, cat Catalog, tenantID string) ([]Stream, error) {
	var out []Stream
	err := eachPage(func(p Page) ([]Stream, string, error) { return cat.ListStreams(ctx, tenantID, p) }, func(s Stream) error {
		out = append(out, s)
		return nil
	})
	return out, err
}

// eachPage calls f with every item of a paginated list.
func eachPage[T any](list func(Page) ([]T, string, error), f func(T) error) error {
	p := Page{Size: 1000}
	for {
		items, next, err := list(p)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := f(it); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.Token = next
	}
}

// sameJSON reports whether two JSON documents hold the same value; stores may reorder an
// object's keys (PostgreSQL's jsonb does), so bytes cannot be compared.
func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
