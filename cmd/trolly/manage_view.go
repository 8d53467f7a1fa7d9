package main

import (
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

// view is how `trolly admin` prints a catalog record: snake_case keys as in the REST API,
// and never a hash.
func view(v any) map[string]any {
	switch r := v.(type) {
	case tenant.Plan:
		return map[string]any{"id": r.ID, "name": r.Name, "limits": limitsView(r.Limits), "retention": retentionView(r.Retention),
			"managed_by": r.ManagedBy, "create_time": r.CreatedAt}
	case tenant.Tenant:
		return map[string]any{"id": r.ID, "name": r.Name, "plan_id": r.PlanID, "limits": limitsView(r.Limits),
			"retention": retentionView(r.Retention), "managed_by": r.ManagedBy, "create_time": r.CreatedAt}
	case tenant.User:
		return map[string]any{"id": r.ID, "tenant_id": r.TenantID, "email": r.Email, "name": r.Name, "role": r.Role,
			"disabled": r.Disabled, "create_time": r.CreatedAt}
	case tenant.Stream:
		return map[string]any{"tenant_id": r.TenantID, "name": r.Name, "source_type": r.SourceType, "labels": r.Labels,
			"managed_by": r.ManagedBy, "create_time": r.CreatedAt}
	case tenant.APIKey:
		return map[string]any{"id": r.ID, "tenant_id": r.TenantID, "name": r.Name, "scopes": r.Scopes,
			"expire_time": optTime(r.ExpiresAt), "last_used_time": optTime(r.LastUsedAt), "revoke_time": optTime(r.RevokedAt),
			"managed_by": r.ManagedBy, "create_time": r.CreatedAt}
	case tenant.ClientCert:
		return map[string]any{"id": r.ID, "tenant_id": r.TenantID, "name": r.Name, "serial": r.Serial,
			"fingerprint": r.Fingerprint, "start_time": r.NotBefore, "expire_time": r.NotAfter,
			"revoke_time": optTime(r.RevokedAt), "create_time": r.CreatedAt}
	}
	return map[string]any{"record": v}
}

func limitsView(l tenant.Limits) map[string]any {
	return map[string]any{"ingest_bytes_per_second": l.IngestBytesPerSecond, "ingest_burst_bytes": l.IngestBurstBytes,
		"max_line_bytes": l.MaxLineBytes, "max_streams": l.MaxStreams, "max_query_range": l.MaxQueryRange.String(),
		"max_concurrent_queries": l.MaxConcurrentQueries, "queue_max_bytes": l.QueueMaxBytes, "query_timeout": l.QueryTimeout.String(),
		"max_backlog_bytes": l.MaxBacklogBytes}
}

func retentionView(r tenant.Retention) map[string]any {
	return map[string]any{"search_days": r.SearchDays, "archive_days": r.ArchiveDays}
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
