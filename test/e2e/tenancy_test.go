package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	operatorEmail    = "ops@provider.example"
	operatorPassword = "operator-password-1"
)

// rest calls the REST API with a bearer token and JSON body, returning the answer.
func (s server) rest(t *testing.T, method, path, token string, body any) answer {
	t.Helper()
	var b []byte
	if body != nil {
		var err error
		b, err = json.Marshal(body)
		require.NoError(t, err)
	}
	return do(t, method, s.apiURL+path, token, map[string]string{"Content-Type": "application/json"}, b)
}

// must requires a 2xx answer and decodes it.
func (a answer) must(t *testing.T, v any) {
	t.Helper()
	require.True(t, a.status >= 200 && a.status < 300, "status %d: %s", a.status, a.body)
	if v != nil {
		a.json(t, v)
	}
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
}

func (s server) login(t *testing.T, email, password string) tokens {
	t.Helper()
	var tk tokens
	s.rest(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}).must(t, &tk)
	require.Equal(t, "Bearer", tk.TokenType)
	require.NotEmpty(t, tk.AccessToken)
	return tk
}

// startWithOperator starts `trolly all` on cfg with the first operator made from the
// environment, and waits until it is ready.
func startWithOperator(t *testing.T, srv server, cfg string) *instance {
	t.Helper()
	in := startEnv(t, []string{
		"TROLLY_BOOTSTRAP_OPERATOR_EMAIL=" + operatorEmail,
		"TROLLY_BOOTSTRAP_OPERATOR_PASSWORD=" + operatorPassword,
	}, "all", "--config", cfg)
	in.waitReady(t, srv.readyURLs()...)
	return in
}

// TestTenancy walks the README's flow on PostgreSQL: the operator made from the
// environment creates a plan, a tenant and its admin; the admin signs in, creates a
// stream, an ingest key and a member; lines shipped with the key are found with the
// member's access token; a revoked key stops working within seconds.
func TestTenancy(t *testing.T) {
	dir := t.TempDir()
	srv, cfg := writeConfig(t, dir, postgresCatalog(t))
	startWithOperator(t, srv, cfg)

	op := srv.login(t, operatorEmail, operatorPassword)
	srv.rest(t, "POST", "/api/v1/plans", op.AccessToken, map[string]any{
		"id": "starter", "name": "Starter",
		"limits":    map[string]any{"ingest_bytes_per_second": 1 << 20, "max_streams": 10},
		"retention": map[string]any{"search_days": 14},
	}).must(t, nil)
	srv.rest(t, "POST", "/api/v1/tenants", op.AccessToken, map[string]any{"id": "globex", "name": "Globex", "plan_id": "starter"}).must(t, nil)
	srv.rest(t, "POST", "/api/v1/users", op.AccessToken, map[string]any{
		"tenant_id": "globex", "email": "admin@globex.example", "role": "admin", "password": "globex-admin-pass",
	}).must(t, nil)

	// The operator manages tenants and sees none of their logs.
	a := srv.rest(t, "GET", "/api/v1/search?q=x", op.AccessToken, nil)
	require.Equal(t, http.StatusForbidden, a.status, string(a.body))

	adm := srv.login(t, "admin@globex.example", "globex-admin-pass")
	srv.rest(t, "POST", "/api/v1/streams", adm.AccessToken, map[string]any{"name": "web", "source_type": "nginx_access"}).must(t, nil)
	var key struct {
		Key struct {
			ID string `json:"id"`
		} `json:"key"`
		Secret string `json:"secret"`
	}
	srv.rest(t, "POST", "/api/v1/keys", adm.AccessToken, map[string]any{"name": "shipper", "scopes": []string{"ingest"}}).must(t, &key)
	require.True(t, strings.HasPrefix(key.Secret, "trl_"), key.Secret)
	srv.rest(t, "POST", "/api/v1/users", adm.AccessToken, map[string]any{
		"email": "dev@globex.example", "role": "member", "password": "globex-member-pass",
	}).must(t, nil)

	// The new stream and key reach the gateway within the catalog's refresh.
	now := time.Now().UTC()
	web := accessLines(50, now.Add(-time.Hour))
	waitStatus(t, func() int { return srv.ingest(t, key.Secret, "web", "", texts(web), false).status }, http.StatusAccepted)

	member := srv.login(t, "dev@globex.example", "globex-member-pass")
	from, to := now.Add(-2*time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)
	waitTotal(t, srv, member.AccessToken, "", from, to, len(web))
	r := srv.search(t, member.AccessToken, "", from, to, 1)
	require.Equal(t, "globex", field(r.Hits[0].Source, "organization.id"))

	// The other tenants see nothing of globex, and globex nothing of theirs.
	require.Zero(t, srv.search(t, demoRead, "", from, to, 1).total(t))
	a = srv.rest(t, "POST", "/api/v1/streams", member.AccessToken, map[string]any{"name": "x", "source_type": "text"})
	require.Equal(t, http.StatusForbidden, a.status, "a member cannot do admin work: %s", a.body)

	// A refresh token is rotated on use; the used one is refused afterwards.
	var next tokens
	srv.rest(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": member.RefreshToken}).must(t, &next)
	a = srv.rest(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": member.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, a.status, string(a.body))

	srv.rest(t, "POST", "/api/v1/keys/"+key.Key.ID+"/revoke", adm.AccessToken, map[string]any{}).must(t, nil)
	waitStatus(t, func() int { return srv.ingest(t, key.Secret, "web", "", texts(web[:1]), false).status }, http.StatusUnauthorized)

	// The audit log recorded who did what.
	var audit struct {
		Entries []struct {
			Action string `json:"action"`
		} `json:"entries"`
	}
	srv.rest(t, "GET", "/api/v1/audit?"+url.Values{"action": {"key."}}.Encode(), adm.AccessToken, nil).must(t, &audit)
	var actions []string
	for _, e := range audit.Entries {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"key.revoke", "key.create"}, actions)

	// The command line reaches the same catalog.
	out, err := exec.Command(binary, "admin", "tenants", "list", "--config", cfg).CombinedOutput()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), `"id":"globex"`)
	require.Contains(t, string(out), `"managed_by":"config"`, "the file's tenants are in the catalog too")

	// Parser settings are checked from the command line too, with the pattern's offset.
	create := func(parser string) (string, error) {
		out, err := exec.Command(binary, "admin", "streams", "create", "--config", cfg, "--tenant", "globex",
			"--name", "orders", "--source-type", "text", "--parser", parser).CombinedOutput()
		return string(out), err
	}
	out2, err := create(`{"patterns":["order %{INT:order.id:int} %{NOPE:x}"]}`)
	require.Error(t, err)
	require.Contains(t, out2, "parser.patterns[0]: at offset 28: unknown pattern NOPE")
	out2, err = create(`{"patterns":["order %{INT:order.id:int}"]}`)
	require.NoError(t, err, out2)
	require.Contains(t, out2, `"name":"orders"`)
}

// waitStatus retries call until it answers want, failing after a bound.
func waitStatus(t *testing.T, call func() int, want int) {
	t.Helper()
	var got int
	for range 100 {
		if got = call(); got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("status %d, want %d after 10s", got, want)
}
