package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/fs"
)

// TestTenantReuse deletes tenant globex and makes it again, on both catalog stores: the
// old admin's access and refresh tokens and the old ingest key reach nothing of the new
// tenant, the new owner finds none of the old owner's events, and the old data is purged
// from the search indices and the archive in the background, audited.
func TestTenantReuse(t *testing.T) {
	for name, extra := range map[string]func(t *testing.T) string{
		"sqlite":   func(*testing.T) string { return "" },
		"postgres": postgresCatalog,
	} {
		t.Run(name, func(t *testing.T) { testTenantReuse(t, extra(t)) })
	}
}

type owner struct {
	tok    tokens
	ingest string
}

// newGlobex makes tenant globex with an admin, a stream and an ingest key, and ships lines.
func newGlobex(t *testing.T, srv server, op tokens, admin string, lines []string) owner {
	t.Helper()
	srv.rest(t, "POST", "/api/v1/tenants", op.AccessToken, map[string]any{"id": "globex", "name": "Globex", "plan_id": "starter"}).must(t, nil)
	srv.rest(t, "POST", "/api/v1/users", op.AccessToken, map[string]any{
		"tenant_id": "globex", "email": admin, "role": "admin", "password": "globex-admin-pass",
	}).must(t, nil)
	o := owner{tok: srv.login(t, admin, "globex-admin-pass")}
	srv.rest(t, "POST", "/api/v1/streams", o.tok.AccessToken, map[string]any{"name": "raw", "source_type": "text"}).must(t, nil)
	var key struct {
		Secret string `json:"secret"`
	}
	srv.rest(t, "POST", "/api/v1/keys", o.tok.AccessToken, map[string]any{"name": "shipper", "scopes": []string{"ingest"}}).must(t, &key)
	o.ingest = key.Secret
	waitStatus(t, func() int { return srv.ingest(t, o.ingest, "raw", "", lines, false).status }, http.StatusAccepted)
	return o
}

func testTenantReuse(t *testing.T, catalog string) {
	dir := t.TempDir()
	srv, cfg := writeConfig(t, dir, catalog, "bookkeeper: {purge: {interval: 200ms, grace: 2s}}")
	startWithOperator(t, srv, cfg)
	op := srv.login(t, operatorEmail, operatorPassword)
	srv.rest(t, "POST", "/api/v1/plans", op.AccessToken, map[string]any{"id": "starter", "name": "Starter"}).must(t, nil)

	now := time.Now().UTC()
	from, to := now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339)
	oldLines := []string{"the old owner's secret one", "the old owner's secret two", "the old owner's secret three"}
	old := newGlobex(t, srv, op, "admin@globex.example", oldLines)
	waitTotal(t, srv, old.tok.AccessToken, "", from, to, len(oldLines))
	waitArchived(t, filepath.Join(dir, "data", "archive"), "globex.", len(oldLines))
	keysBefore := dataKeys(t, dir)
	require.Len(t, keysBefore, 1, "globex's data is filed under one key")
	var oldKey string
	for k := range keysBefore {
		oldKey = k
	}

	srv.rest(t, "DELETE", "/api/v1/tenants/globex", op.AccessToken, nil).must(t, nil)
	newLines := []string{"the new owner's first line", "the new owner's second line"}
	fresh := newGlobex(t, srv, op, "owner@globex.example", newLines)
	waitTotal(t, srv, fresh.tok.AccessToken, "", from, to, len(newLines))

	// The new owner sees its own events only.
	require.Zero(t, srv.search(t, fresh.tok.AccessToken, "secret", from, to, 10).total(t))
	for _, h := range srv.search(t, fresh.tok.AccessToken, "", from, to, 10).Hits {
		require.Contains(t, field(h.Source, "message"), "new owner")
	}

	// The old owner's credentials reach nothing of the new tenant.
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/search?" + url.Values{"q": {""}, "from": {from}, "to": {to}}.Encode()},
		{"GET", "/api/v1/keys"},
		{"POST", "/api/v1/keys"},
		{"GET", "/api/v1/streams"},
		{"GET", "/api/v1/users"},
	} {
		a := srv.rest(t, c.method, c.path, old.tok.AccessToken, map[string]any{"name": "backdoor", "scopes": []string{"read"}})
		require.Equal(t, http.StatusUnauthorized, a.status, "%s %s with the old admin's token: %s", c.method, c.path, a.body)
	}
	a := srv.rest(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": old.tok.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, a.status, "the old admin's refresh token: %s", a.body)
	require.Equal(t, http.StatusUnauthorized, srv.ingest(t, old.ingest, "raw", "", []string{"from the old shipper"}, false).status)
	var keys struct {
		Keys []struct {
			Name string `json:"name"`
		} `json:"keys"`
	}
	srv.rest(t, "GET", "/api/v1/keys", fresh.tok.AccessToken, nil).must(t, &keys)
	require.Len(t, keys.Keys, 1, "no key of the old owner's in the new tenant")

	// The old data goes in the background: indices and archive, audited.
	deadline := time.Now().Add(30 * time.Second)
	for {
		keys := dataKeys(t, dir)
		if _, left := keys[oldKey]; !left {
			require.Len(t, keys, 1, "the new tenant's data stays: %v", keys)
			break
		}
		require.True(t, time.Now().Before(deadline), "the old key's data is still there after 30s: %v", keys)
		time.Sleep(100 * time.Millisecond)
	}
	var audit struct {
		Entries []struct {
			Action  string            `json:"action"`
			Target  string            `json:"target"`
			Details map[string]string `json:"details"`
		} `json:"entries"`
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		srv.rest(t, "GET", "/api/v1/audit?"+url.Values{"action": {"tenant."}, "tenant_id": {"globex"}}.Encode(), op.AccessToken, nil).must(t, &audit)
		parts := map[string]bool{}
		for _, e := range audit.Entries {
			if e.Action != "tenant.purge" && e.Action != "tenant.purged" {
				continue
			}
			require.Equal(t, oldKey, e.Target)
			parts[e.Details["part"]+" "+e.Action] = true
		}
		if parts["search tenant.purged"] && parts["archive tenant.purged"] {
			require.True(t, parts["search tenant.purge"] && parts["archive tenant.purge"], "%v", parts)
			break
		}
		require.True(t, time.Now().Before(deadline), "purges audited after 30s: %v", parts)
		time.Sleep(200 * time.Millisecond)
	}
	waitTotal(t, srv, fresh.tok.AccessToken, "", from, to, len(newLines))
}

// dataKeys returns the tenant keys of globex that have index files or archive objects.
func dataKeys(t *testing.T, dir string) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	// The search engine's tenants: the keys it maps to its tenant ids.
	b, err := os.ReadFile(filepath.Join(dir, "data", "search", "tenants.json"))
	require.NoError(t, err)
	var engine struct {
		Keys map[string]json.RawMessage `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(b, &engine))
	for k := range engine.Keys {
		if strings.HasPrefix(k, "globex.") {
			keys[k] = true
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "data", "archive"))
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "globex.") {
			keys[e.Name()] = true
		}
	}
	return keys
}

// waitArchived waits until the archive holds want events of the tenants whose key starts
// with prefix. It reads through the archive's own listing, which skips chunks still being
// written.
func waitArchived(t *testing.T, root, prefix string, want int) {
	t.Helper()
	b, err := fs.New(root)
	require.NoError(t, err)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := 0
		for key, err := range b.List(t.Context(), "") {
			require.NoError(t, err)
			if !strings.HasPrefix(key, prefix) {
				continue
			}
			data, err := b.Get(t.Context(), key)
			require.NoError(t, err)
			docs, err := storage.ReadChunk(data)
			require.NoError(t, err)
			got += len(docs)
		}
		if got == want {
			return
		}
		require.True(t, time.Now().Before(deadline), "%d of %d events archived after 30s", got, want)
		time.Sleep(100 * time.Millisecond)
	}
}
