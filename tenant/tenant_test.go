package tenant

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func testTenants() []Config {
	return []Config{
		{ID: "acme", Name: "ACME", RetentionDays: 90,
			Keys:    []KeyConfig{{Name: "in", Scope: ScopeIngest, Hash: HashKey("acme-in")}, {Name: "rd", Scope: ScopeRead, Hash: HashKey("acme-rd")}},
			Streams: []StreamConfig{{Name: "web", SourceType: "nginx_access"}}},
		{ID: "acme-corp",
			Keys:    []KeyConfig{{Name: "in", Scope: ScopeIngest, Hash: HashKey("corp-in")}},
			Streams: []StreamConfig{{Name: "app", SourceType: "json"}}},
	}
}

func TestAuthenticate(t *testing.T) {
	s, err := NewStatic(testTenants())
	require.NoError(t, err)
	ctx := context.Background()
	tests := []struct {
		secret string
		want   Principal
		err    error
	}{
		{"acme-in", Principal{TenantID: "acme", Scopes: []Scope{ScopeIngest}, KeyName: "in"}, nil},
		{"acme-rd", Principal{TenantID: "acme", Scopes: []Scope{ScopeRead}, KeyName: "rd"}, nil},
		{"corp-in", Principal{TenantID: "acme-corp", Scopes: []Scope{ScopeIngest}, KeyName: "in"}, nil},
		{"", Principal{}, ErrUnauthenticated},
		{"acme-in ", Principal{}, ErrUnauthenticated},
		{HashKey("acme-in"), Principal{}, ErrUnauthenticated}, // the stored hash is not a key
	}
	for _, tt := range tests {
		t.Run(tt.secret, func(t *testing.T) {
			p, err := s.Authenticate(ctx, tt.secret)
			require.ErrorIs(t, err, tt.err)
			require.Equal(t, tt.want, p)
		})
	}
}

func TestLookups(t *testing.T) {
	s, err := NewStatic(testTenants())
	require.NoError(t, err)
	ctx := context.Background()
	tn, err := s.Tenant(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 90, tn.Retention.SearchDays)
	corp, err := s.Tenant(ctx, "acme-corp")
	require.NoError(t, err)
	require.Equal(t, DefaultRetention.SearchDays, corp.Retention.SearchDays)
	require.Equal(t, "acme-corp", corp.Name, "the name defaults to the id")
	_, err = s.Tenant(ctx, "nope")
	require.ErrorIs(t, err, ErrNotFound)

	st, err := s.Stream(ctx, "acme", "web")
	require.NoError(t, err)
	require.Equal(t, Stream{TenantID: "acme", Name: "web", SourceType: "nginx_access", ManagedBy: ManagedByConfig}, st)
	_, err = s.Stream(ctx, "acme", "app")
	require.ErrorIs(t, err, ErrNotFound, "acme-corp's stream is not acme's")
	_, err = s.Stream(ctx, "nope", "web")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestValidation(t *testing.T) {
	good := HashKey("k")
	tests := []struct {
		name string
		cfg  []Config
		want []string
	}{
		{"bad id", []Config{{ID: "-acme"}}, []string{`tenants[0].id: "-acme" is not a tenant id`}},
		{"upper id", []Config{{ID: "Acme"}}, []string{`tenants[0].id: "Acme"`}},
		{"twice", []Config{{ID: "a"}, {ID: "a"}}, []string{`tenants[1].id: tenant "a" is defined twice`}},
		{"retention", []Config{{ID: "a", RetentionDays: -1}}, []string{"tenants[0].retention_days: must be > 0, got -1"}},
		{"stream", []Config{{ID: "a", Streams: []StreamConfig{{Name: "web"}, {Name: "web", SourceType: "x"}, {Name: "a b", SourceType: "x"}}}},
			[]string{"tenants[0].streams[0].source_type: is required", `tenants[0].streams[1].name: stream "web" is defined twice`, `tenants[0].streams[2].name: "a b"`}},
		{"key hash", []Config{{ID: "a", Keys: []KeyConfig{{Name: "x", Scope: ScopeRead, Hash: "plain"}, {Name: "y", Scope: ScopeRead, Hash: "sha256:zz"}}}},
			[]string{"tenants[0].keys[0].hash: hash must start with", "tenants[0].keys[1].hash: hash must be"}},
		{"key scope", []Config{{ID: "a", Keys: []KeyConfig{{Name: "x", Scope: "write", Hash: good}}}}, []string{`tenants[0].keys[0].scope: must be "ingest", "read" or "admin", got "write"`}},
		{"key name", []Config{{ID: "a", Keys: []KeyConfig{{Scope: ScopeRead, Hash: good}, {Name: "x", Scope: ScopeRead, Hash: HashKey("1")}, {Name: "x", Scope: ScopeRead, Hash: HashKey("2")}}}},
			[]string{"tenants[0].keys[0].name: is required", `tenants[0].keys[2].name: key "x" is defined twice`}},
		{"key reused across tenants", []Config{{ID: "a", Keys: []KeyConfig{{Name: "x", Scope: ScopeRead, Hash: good}}}, {ID: "b", Keys: []KeyConfig{{Name: "x", Scope: ScopeRead, Hash: good}}}},
			[]string{"tenants[1].keys[0].hash: the same key is defined twice"}},
		{"key reused in a tenant", []Config{{ID: "a", Keys: []KeyConfig{{Name: "x", Scope: ScopeRead, Hash: good}, {Name: "y", Scope: ScopeIngest, Hash: good}}}},
			[]string{"tenants[0].keys[1].hash: the same key is defined twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewStatic(tt.cfg)
			require.Error(t, err)
			lines := strings.Split(err.Error(), "\n")
			require.Len(t, lines, len(tt.want), err.Error())
			for i, w := range tt.want {
				require.Contains(t, lines[i], w)
			}
		})
	}
}

func TestValidNames(t *testing.T) {
	for id, ok := range map[string]bool{"a": true, "acme-corp": true, "a1": true, "-a": false, "a-": false, "A": false, "a_b": false, "": false, strings.Repeat("a", 63): true, strings.Repeat("a", 64): false} {
		require.Equal(t, ok, ValidID(id), id)
	}
	for name, ok := range map[string]bool{"web": true, "app_logs": true, "a-b": true, "_a": false, "a b": false, "Web": false} {
		require.Equal(t, ok, ValidStreamName(name), name)
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{"Bearer abc": "abc", "bearer abc ": "abc", "Basic abc": "", "Bearer": "", "Bearer  ": "", "": ""} {
		got, ok := BearerToken(header)
		require.Equal(t, want, got, header)
		require.Equal(t, want != "", ok, header)
	}
}

func TestHashKey(t *testing.T) {
	h := HashKey("demo-ingest-key")
	require.Equal(t, "sha256:645bd54962e1648cc9c74875be240a27c424672bd5e7e0a3c2ee888735a6df7f", h)
	d, err := parseHash(h)
	require.NoError(t, err)
	require.True(t, digestEqual(d, d))
}

func TestLimits(t *testing.T) {
	s, err := NewStatic([]Config{{ID: "a", Limits: Limits{IngestBytesPerSecond: 1000, QueueMaxBytes: 1 << 20}}})
	require.NoError(t, err)
	tn, err := s.Tenant(context.Background(), "a")
	require.NoError(t, err)
	want := DefaultLimits
	want.IngestBytesPerSecond, want.IngestBurstBytes, want.QueueMaxBytes = 1000, 256<<10, 1<<20
	require.Equal(t, want, tn.Limits, "unset limits take the defaults; the burst at least 256 KiB")
	p := Plan{Limits: Limits{IngestBytesPerSecond: 1 << 20}}
	p.ApplyDefaults()
	require.Equal(t, int64(2<<20), p.Limits.IngestBurstBytes, "the burst defaults to two seconds of the rate")

	_, err = NewStatic([]Config{{ID: "a", Limits: Limits{IngestBytesPerSecond: -1, IngestBurstBytes: -2}}})
	require.ErrorContains(t, err, "tenants[0].limits.ingest_bytes_per_second: must be > 0, got -1")
}

func TestValidKey(t *testing.T) {
	for key, want := range map[string]bool{
		"acme": true, "acme.1": true, "acme-corp.1234567890": true, "9lives.42": true,
		"": false, ".1": false, "acme.": false, "acme.01": false, "acme.1.2": false, "acme.x": false,
		"Acme.1": false, "acme/../x.1": false, "acme.-1": false, "acme.12345678901234567890": false,
	} {
		require.Equal(t, want, ValidKey(key), key)
	}
	require.Equal(t, "acme.7", NewKey("acme", 7))
}
