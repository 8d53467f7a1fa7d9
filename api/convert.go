package api

import (
	"encoding/json"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// This file is the one place where protobuf types meet the tenant model.

// timestamp is nil for a zero time, so that unset times are absent rather than 1970.
func timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// timeOf is the zero time for an unset timestamp.
func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func limitsToProto(l tenant.Limits) *trollyv1.Limits {
	return &trollyv1.Limits{
		IngestBytesPerSecond: l.IngestBytesPerSecond,
		IngestBurstBytes:     l.IngestBurstBytes,
		MaxLineBytes:         l.MaxLineBytes,
		MaxStreams:           clamp32(l.MaxStreams),
		MaxConcurrentQueries: clamp32(l.MaxConcurrentQueries),
		MaxQueryRange:        durationpb.New(l.MaxQueryRange),
		QueueMaxBytes:        l.QueueMaxBytes,
		QueryTimeout:         durationpb.New(l.QueryTimeout),
		MaxBacklogBytes:      l.MaxBacklogBytes,
	}
}

func limitsOf(l *trollyv1.Limits) tenant.Limits {
	return tenant.Limits{
		IngestBytesPerSecond: l.GetIngestBytesPerSecond(),
		IngestBurstBytes:     l.GetIngestBurstBytes(),
		MaxLineBytes:         l.GetMaxLineBytes(),
		MaxStreams:           int(l.GetMaxStreams()),
		MaxConcurrentQueries: int(l.GetMaxConcurrentQueries()),
		MaxQueryRange:        l.GetMaxQueryRange().AsDuration(),
		QueueMaxBytes:        l.GetQueueMaxBytes(),
		QueryTimeout:         l.GetQueryTimeout().AsDuration(),
		MaxBacklogBytes:      l.GetMaxBacklogBytes(),
	}
}

func retentionToProto(r tenant.Retention) *trollyv1.Retention {
	return &trollyv1.Retention{SearchDays: clamp32(r.SearchDays), ArchiveDays: clamp32(r.ArchiveDays)}
}

func retentionOf(r *trollyv1.Retention) tenant.Retention {
	return tenant.Retention{SearchDays: int(r.GetSearchDays()), ArchiveDays: int(r.GetArchiveDays())}
}

func clamp32(v int) int32 { return int32(min(max(v, -1<<31), 1<<31-1)) }

func planToProto(p tenant.Plan) *trollyv1.Plan {
	return &trollyv1.Plan{
		Id: p.ID, Name: p.Name, Limits: limitsToProto(p.Limits), Retention: retentionToProto(p.Retention),
		ManagedBy: p.ManagedBy, CreateTime: timestamp(p.CreatedAt), UpdateTime: timestamp(p.UpdatedAt),
	}
}

// planOf reads what a caller may set of a plan.
func planOf(p *trollyv1.Plan) tenant.Plan {
	return tenant.Plan{ID: p.GetId(), Name: p.GetName(), Limits: limitsOf(p.GetLimits()), Retention: retentionOf(p.GetRetention())}
}

func tenantToProto(t tenant.Tenant) *trollyv1.Tenant {
	return &trollyv1.Tenant{
		Id: t.ID, Name: t.Name, PlanId: t.PlanID, Limits: limitsToProto(t.Limits), Retention: retentionToProto(t.Retention),
		ManagedBy: t.ManagedBy, CreateTime: timestamp(t.CreatedAt), UpdateTime: timestamp(t.UpdatedAt),
	}
}

// tenantOf reads what a caller may set of a tenant.
func tenantOf(t *trollyv1.Tenant) tenant.Tenant {
	return tenant.Tenant{ID: t.GetId(), Name: t.GetName(), PlanID: t.GetPlanId()}
}

// userToProto never sets the password.
func userToProto(u tenant.User) *trollyv1.User {
	return &trollyv1.User{
		Id: u.ID, TenantId: u.TenantID, Email: u.Email, Name: u.Name, Role: string(u.Role), Disabled: u.Disabled,
		CreateTime: timestamp(u.CreatedAt), UpdateTime: timestamp(u.UpdatedAt),
	}
}

func streamToProto(s tenant.Stream) (*trollyv1.Stream, error) {
	out := &trollyv1.Stream{
		Name: s.Name, SourceType: s.SourceType, Labels: s.Labels, ManagedBy: s.ManagedBy,
		CreateTime: timestamp(s.CreatedAt), UpdateTime: timestamp(s.UpdatedAt),
	}
	if len(s.Parser) > 0 {
		out.Parser = &structpb.Struct{}
		if err := protojson.Unmarshal(s.Parser, out.Parser); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// streamOf reads what a caller may set of a stream.
func streamOf(tenantID string, s *trollyv1.Stream) (tenant.Stream, error) {
	out := tenant.Stream{TenantID: tenantID, Name: s.GetName(), SourceType: s.GetSourceType(), Labels: s.GetLabels()}
	if s.GetParser() != nil {
		b, err := protojson.Marshal(s.GetParser())
		if err != nil {
			return tenant.Stream{}, err
		}
		out.Parser = json.RawMessage(b)
	}
	return out, nil
}

// keyToProto never sets the hash.
func keyToProto(k tenant.APIKey) *trollyv1.ApiKey {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	return &trollyv1.ApiKey{
		Id: k.ID, Name: k.Name, Scopes: scopes, ExpireTime: timestamp(k.ExpiresAt), LastUsedTime: timestamp(k.LastUsedAt),
		RevokeTime: timestamp(k.RevokedAt), ManagedBy: k.ManagedBy, CreateTime: timestamp(k.CreatedAt),
	}
}

func certToProto(c tenant.ClientCert) *trollyv1.Certificate {
	return &trollyv1.Certificate{
		Id: c.ID, Name: c.Name, Serial: c.Serial, Fingerprint: c.Fingerprint, StartTime: timestamp(c.NotBefore),
		ExpireTime: timestamp(c.NotAfter), RevokeTime: timestamp(c.RevokedAt), CreateTime: timestamp(c.CreatedAt),
	}
}

func scopesOf(in []string) []tenant.Scope {
	out := make([]tenant.Scope, len(in))
	for i, s := range in {
		out[i] = tenant.Scope(s)
	}
	return out
}

func auditToProto(e tenant.AuditEntry) *trollyv1.AuditEntry {
	a := e.Actor
	return &trollyv1.AuditEntry{
		Id: e.ID, Time: timestamp(e.At), TenantId: e.TenantID, Action: e.Action, Target: e.Target, Details: e.Details,
		Actor: &trollyv1.Actor{Kind: a.Kind, Id: a.ID, Name: a.Name, TenantId: a.TenantID, Address: a.Address},
	}
}

func principalToProto(p tenant.Principal) *trollyv1.Principal {
	scopes := make([]string, len(p.Scopes))
	for i, s := range p.Scopes {
		scopes[i] = string(s)
	}
	return &trollyv1.Principal{TenantId: p.TenantID, UserId: p.UserID, Role: string(p.Role), KeyId: p.KeyID, Scopes: scopes}
}

// page reads a list request's paging; the catalog checks the bounds.
func page(size int32, token string) tenant.Page {
	return tenant.Page{Size: int(size), Token: token}
}
