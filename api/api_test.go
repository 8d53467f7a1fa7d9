package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/trolly-logs/trolly/api/auth"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/vlogs"
	"github.com/trolly-logs/trolly/tenant"
)

var base = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

type fixture struct {
	rest string
	grpc trollyv1.SearchServiceClient
}

// newFixture serves the API on a free port over a real index holding events of demo and
// of acme, both with the word "shared" and each with a word of its own. The tenants and
// keys come from a static directory.
func newFixture(t *testing.T) fixture {
	t.Helper()
	return newSearchFixture(t, nil, nil)
}

// newSearchFixture is newFixture with limits for acme, wrap around the backend, and
// changes to the API's dependencies.
func newSearchFixture(t *testing.T, acme *tenant.Limits, wrap func(search.Backend) search.Backend, deps ...func(*Deps)) fixture {
	t.Helper()
	acmeCfg := tenant.Config{ID: "acme", RetentionDays: 90, Keys: []tenant.KeyConfig{{Name: "rd", Scope: tenant.ScopeRead, Hash: tenant.HashKey("acme-rd")}}}
	if acme != nil {
		acmeCfg.Limits = *acme
	}
	dir, err := tenant.NewStatic([]tenant.Config{
		{ID: "demo", Keys: []tenant.KeyConfig{
			{Name: "rd", Scope: tenant.ScopeRead, Hash: tenant.HashKey("demo-rd")},
			{Name: "in", Scope: tenant.ScopeIngest, Hash: tenant.HashKey("demo-in")},
		}},
		acmeCfg,
	})
	require.NoError(t, err)
	log := slog.New(slog.DiscardHandler)
	backend := openSearch(t)
	for tn, word := range map[string]string{"demo": "alpha", "acme": "bravo"} {
		retention := map[string]int{"demo": 7, "acme": 90}[tn]
		for i := range 3 {
			ts := base.Add(time.Duration(i) * time.Hour)
			id := fmt.Sprintf("%s-%d", tn, i)
			src := fmt.Sprintf(`{"@timestamp":%q,"message":"shared %s %d","organization":{"id":%q},"event":{"id":%q}}`, ts.Format(time.RFC3339), word, i, tn, id)
			require.NoError(t, backend.Write(context.Background(), search.IndexName(tn, ts, retention), []search.Doc{{ID: id, Timestamp: ts, Source: []byte(src)}}))
		}
	}
	// Ten days before base: past demo's retention (7 days), within acme's.
	for tn, retention := range map[string]int{"demo": 7, "acme": 90} {
		ts := base.Add(-10 * 24 * time.Hour)
		src := fmt.Sprintf(`{"@timestamp":%q,"message":"old","organization":{"id":%q},"event":{"id":"%s-old"}}`, ts.Format(time.RFC3339), tn, tn)
		require.NoError(t, backend.Write(context.Background(), search.IndexName(tn, ts, retention), []search.Doc{{ID: tn + "-old", Timestamp: ts, Source: []byte(src)}}))
	}
	var sb search.Backend = backend
	if wrap != nil {
		sb = wrap(backend)
	}
	cat := stores()["sqlite"](t)
	var c Config
	c.ApplyDefaults()
	d := Deps{Catalog: cat, Directory: dir, Auth: auth.New(auth.Config{Password: cheap}, cat, dir, log, nil, nil), Backend: sb}
	for _, f := range deps {
		f(&d)
	}
	srv, err := New(c, d, log, nil)
	require.NoError(t, err)
	srv.now = func() time.Time { return base.Add(24 * time.Hour) }
	e := &env{}
	e.serve(t, srv)
	return fixture{rest: e.rest, grpc: trollyv1.NewSearchServiceClient(e.conn)}
}

type restAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (f fixture) get(t *testing.T, path, key string, params url.Values) restAnswer {
	t.Helper()
	a := f.fetch(t, path, key, params)
	require.NoError(t, json.Unmarshal([]byte(a.raw), &a.body), "body %s", a.raw)
	return a
}

// fetch is get without decoding: the raw body only.
func (f fixture) fetch(t *testing.T, path, key string, params url.Values) restAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.rest+path+"?"+params.Encode(), nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return restAnswer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
}

func wholeRange(q string) url.Values {
	return url.Values{"q": {q}, "from": {base.Add(-time.Hour).Format(time.RFC3339)}, "to": {base.Add(24 * time.Hour).Format(time.RFC3339)}}
}

func TestRESTSearch(t *testing.T) {
	f := newFixture(t)
	a := f.get(t, "/api/v1/search", "demo-rd", wholeRange("shared"))
	require.Equal(t, http.StatusOK, a.status)
	require.Equal(t, "3", a.body["total"])
	hits := a.body["hits"].([]any)
	require.Len(t, hits, 3)
	for i, h := range hits {
		hit := h.(map[string]any)
		require.Equal(t, fmt.Sprintf("demo-%d", 2-i), hit["id"], "newest first")
		require.Equal(t, "trolly-demo-2026.11.20", hit["index"])
		src := hit["source"].(map[string]any)
		require.Equal(t, map[string]any{"id": "demo"}, src["organization"])
	}
	p := wholeRange("")
	p.Set("limit", "1")
	a = f.get(t, "/api/v1/search", "acme-rd", p)
	require.Equal(t, "3", a.body["total"])
	require.Len(t, a.body["hits"].([]any), 1)
	require.Equal(t, "trolly-acme-2026.11", a.body["hits"].([]any)[0].(map[string]any)["index"])

	a = f.get(t, "/api/v1/search", "demo-rd", wholeRange("nothing-matches-this"))
	require.Equal(t, "0", a.body["total"], "zero totals are sent, not omitted")
	require.Equal(t, []any{}, a.body["hits"])
}

// A search never returns what is older than the tenant's retention, whatever the range
// asks and the backend still holds.
func TestRetentionBoundsSearch(t *testing.T) {
	f := newFixture(t)
	wide := url.Values{"q": {"old"}, "from": {base.Add(-30 * 24 * time.Hour).Format(time.RFC3339)}, "to": {base.Format(time.RFC3339)}}
	require.Equal(t, "0", f.get(t, "/api/v1/search", "demo-rd", wide).body["total"], "demo keeps 7 days")
	require.Equal(t, "1", f.get(t, "/api/v1/search", "acme-rd", wide).body["total"], "acme keeps 90 days")
}

// TestCrossTenant tries, with each tenant's key, to reach the other's events in every way a
// request can name them; none works.
func TestCrossTenant(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ key, other, otherWord string }{
		{"demo-rd", "acme", "bravo"},
		{"acme-rd", "demo", "alpha"},
	} {
		for _, q := range []string{tc.otherWord, "organization.id:" + tc.other, "event.id:" + tc.other + "-0"} {
			p := wholeRange(q)
			p.Set("tenant", tc.other) // not a parameter of the API: ignored, never obeyed
			a := f.get(t, "/api/v1/search", tc.key, p)
			require.Equal(t, http.StatusOK, a.status)
			require.Equal(t, "0", a.body["total"], "%s searching %q", tc.key, q)

			ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tc.key, "x-tenant", tc.other)
			resp, err := f.grpc.Search(ctx, &trollyv1.SearchRequest{Q: q, From: p.Get("from"), To: p.Get("to")})
			require.NoError(t, err)
			require.Zero(t, resp.GetTotal(), "gRPC %s searching %q", tc.key, q)
		}
	}
}

func TestRefusals(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		key    string
		params url.Values
		status int
		code   string
		grpc   codes.Code
	}{
		{"no key", "", wholeRange(""), 401, "unauthenticated", codes.Unauthenticated},
		{"unknown key", "nope", wholeRange(""), 401, "unauthenticated", codes.Unauthenticated},
		{"ingest key", "demo-in", wholeRange(""), 403, "forbidden", codes.PermissionDenied},
		{"bad query", "demo-rd", wholeRange(`"open`), 400, "invalid_argument", codes.InvalidArgument},
		{"bad from", "demo-rd", url.Values{"from": {"yesterday"}}, 400, "invalid_argument", codes.InvalidArgument},
		{"from after to", "demo-rd", url.Values{"from": {"now"}, "to": {"now-1h"}}, 400, "invalid_argument", codes.InvalidArgument},
		{"limit too high", "demo-rd", url.Values{"limit": {"1001"}}, 400, "invalid_argument", codes.InvalidArgument},
		{"negative limit", "demo-rd", url.Values{"limit": {"-1"}}, 400, "invalid_argument", codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.get(t, "/api/v1/search", tt.key, tt.params)
			require.Equal(t, tt.status, a.status)
			require.Equal(t, tt.code, a.body["code"])
			require.NotEmpty(t, a.body["message"])
			if tt.status == 401 {
				require.Contains(t, a.header.Get("WWW-Authenticate"), "Bearer")
			}

			ctx := context.Background()
			if tt.key != "" {
				ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tt.key)
			}
			var limit int32
			fmt.Sscan(tt.params.Get("limit"), &limit)
			_, err := f.grpc.Search(ctx, &trollyv1.SearchRequest{Q: tt.params.Get("q"), From: tt.params.Get("from"), To: tt.params.Get("to"), Limit: limit})
			require.Equal(t, tt.grpc, status.Code(err), "%v", err)
		})
	}
}

func TestOtherRoutes(t *testing.T) {
	f := newFixture(t)
	a := f.get(t, "/api/openapi.json", "", nil)
	require.Equal(t, http.StatusOK, a.status)
	require.Contains(t, a.body["paths"], "/api/v1/search")
	a = f.get(t, "/api/v1/nothing", "demo-rd", nil)
	require.Equal(t, http.StatusNotFound, a.status)
	require.Equal(t, "not_found", a.body["code"])
	req, err := http.NewRequest(http.MethodPut, f.rest+"/api/v1/search", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	a = f.get(t, "/readyz", "", nil)
	require.Equal(t, http.StatusOK, a.status)
}

// TestEveryMethodHasARule guards against exposing an RPC that the interceptor would refuse
// outright, or one added without deciding who may call it.
func TestEveryMethodHasARule(t *testing.T) {
	s := &Server{grpc: grpc.NewServer()}
	s.register()
	rules := methodRules()
	n := 0
	for name, info := range s.grpc.GetServiceInfo() {
		for _, m := range info.Methods {
			_, ok := rules["/"+name+"/"+m.Name]
			require.True(t, ok, "/%s/%s has no rule in methodRules", name, m.Name)
			n++
		}
	}
	require.Equal(t, len(rules), n, "methodRules names a method no service has")
}

func TestErrorCode(t *testing.T) {
	for c, want := range map[codes.Code]string{
		codes.Unauthenticated: "unauthenticated", codes.PermissionDenied: "forbidden", codes.NotFound: "not_found",
		codes.InvalidArgument: "invalid_argument", codes.Unavailable: "unavailable", codes.Internal: "internal",
		codes.ResourceExhausted: "too_many_requests", codes.AlreadyExists: "already_exists",
		codes.FailedPrecondition: "failed_precondition",
	} {
		require.Equal(t, want, errorCode(c), c.String())
	}
}

// TestSearchRange refuses a range longer than the plan's max_query_range, naming it.
func TestSearchRange(t *testing.T) {
	f := newSearchFixture(t, &tenant.Limits{MaxQueryRange: 24 * time.Hour}, nil)
	a := f.get(t, "/api/v1/search", "acme-rd", wholeRange("shared"))
	require.Equal(t, http.StatusBadRequest, a.status)
	require.Equal(t, "invalid_argument", a.body["code"])
	require.Contains(t, a.body["message"], "max_query_range (24h0m0s)")

	within := url.Values{"q": {"shared"}, "from": {base.Format(time.RFC3339)}, "to": {base.Add(24 * time.Hour).Format(time.RFC3339)}}
	a = f.get(t, "/api/v1/search", "acme-rd", within)
	require.Equal(t, http.StatusOK, a.status)
	require.Equal(t, "3", a.body["total"])
	a = f.get(t, "/api/v1/search", "demo-rd", wholeRange("shared"))
	require.Equal(t, http.StatusOK, a.status, "another plan's limit")
}

// gate holds acme's searches until released.
type gate struct {
	search.Backend
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Search(ctx context.Context, req search.Request) (search.Result, error) {
	if req.Tenant == "acme" {
		g.entered <- struct{}{}
		<-g.release
	}
	return g.Backend.Search(ctx, req)
}

// TestSearchConcurrency runs at most max_concurrent_queries searches of a tenant at once;
// the others are asked to retry, and other tenants are unaffected.
func TestSearchConcurrency(t *testing.T) {
	g := &gate{entered: make(chan struct{}, 8), release: make(chan struct{})}
	f := newSearchFixture(t, &tenant.Limits{MaxConcurrentQueries: 1}, func(b search.Backend) search.Backend {
		g.Backend = b
		return g
	})
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer acme-rd")
	req := &trollyv1.SearchRequest{Q: "shared", From: base.Add(-time.Hour).Format(time.RFC3339), To: base.Add(time.Hour * 24).Format(time.RFC3339)}
	first := make(chan error, 1)
	go func() {
		_, err := f.grpc.Search(ctx, req)
		first <- err
	}()
	<-g.entered

	a := f.get(t, "/api/v1/search", "acme-rd", wholeRange("shared"))
	require.Equal(t, http.StatusTooManyRequests, a.status)
	require.Equal(t, "too_many_requests", a.body["code"])
	require.Equal(t, "1", a.header.Get("Retry-After"))
	_, err := f.grpc.Search(ctx, req)
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
	a = f.get(t, "/api/v1/search", "demo-rd", wholeRange("shared"))
	require.Equal(t, http.StatusOK, a.status, "demo has slots of its own")

	close(g.release)
	require.NoError(t, <-first)
	_, err = f.grpc.Search(ctx, req)
	require.NoError(t, err, "the slot is free again")
}

// openSearch opens the embedded engine on a temporary directory, in one retention class
// of a century: the tests' events are of fixed dates, which a class of days would drop.
// Tenant acme keeps 90 days (monthly indices), the others 7.
func openSearch(t testing.TB) *vlogs.Backend {
	t.Helper()
	b, err := vlogs.Open(vlogs.Config{Dir: t.TempDir(), Classes: []int{36500}},
		func(_ context.Context, key string) (int, error) {
			if key == "acme" {
				return 90, nil
			}
			return 7, nil
		})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return b
}
