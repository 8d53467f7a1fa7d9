package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/api/auth"
	"github.com/trolly-logs/trolly/tenant"
)

// call makes one REST call as curl would, and decodes its JSON answer.
func (e *env) call(t *testing.T, method, path, bearer string, body any) restAnswer {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.rest+path, r)
	require.NoError(t, err)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := restAnswer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	require.NoError(t, json.Unmarshal(b, &a.body), "body %s", b)
	return a
}

// requireError checks the error shape of an answer.
func requireError(t *testing.T, a restAnswer, status int, code, field string) {
	t.Helper()
	require.Equal(t, status, a.status, a.raw)
	require.Equal(t, code, a.body["code"], a.raw)
	require.NotEmpty(t, a.body["message"], a.raw)
	if field != "" {
		require.Equal(t, field, a.body["field"], a.raw)
	}
}

func obj(a restAnswer, path ...string) map[string]any {
	m := a.body
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

// TestRESTRoundTrip goes from an empty catalog to a tenant's admin managing its streams and
// keys, over REST only.
func TestRESTRoundTrip(t *testing.T) {
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			cat := open(t)
			_, err := auth.EnsureOperator(context.Background(), cat, "op@trolly.test", "operator password", cheap)
			require.NoError(t, err)
			e := newEnv(t, cat, nil)

			a := e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": "op@trolly.test", "password": "operator password"})
			require.Equal(t, 200, a.status, a.raw)
			require.Equal(t, "Bearer", a.body["token_type"])
			require.Equal(t, "operator", obj(a, "principal")["role"])
			require.Equal(t, "900", a.body["expires_in"])
			op := a.body["access_token"].(string)

			operatorSetsUp(t, e, op)
			a = e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": "boss@acme.test", "password": "boss password"})
			require.Equal(t, 200, a.status, a.raw)
			admin := a.body["access_token"].(string)
			require.Equal(t, "acme", obj(a, "principal")["tenant_id"])

			adminManagesStreams(t, e, admin)
			adminManagesKeys(t, e, admin)
			streamsPage(t, e, admin)
			restErrors(t, e, op, admin)
			auditTrail(t, e, op, admin)
		})
	}
}

func operatorSetsUp(t *testing.T, e *env, op string) {
	a := e.call(t, "POST", "/api/v1/plans", op, map[string]any{"id": "small", "name": "Small", "limits": map[string]any{"max_streams": 3}})
	require.Equal(t, 200, a.status, a.raw)
	require.Equal(t, float64(3), obj(a, "limits")["max_streams"])
	require.Equal(t, float64(8), obj(a, "limits")["max_concurrent_queries"], "zero limits take the defaults")
	require.Equal(t, "30s", obj(a, "limits")["query_timeout"], "zero limits take the defaults")
	require.Equal(t, "0", obj(a, "limits")["max_backlog_bytes"], "0: the queue's max_tenant_backlog_bytes")
	require.Equal(t, float64(7), obj(a, "retention")["search_days"])

	a = e.call(t, "PATCH", "/api/v1/plans/small", op, map[string]any{"limits": map[string]any{"max_streams": 6, "max_query_range": "3600s"}})
	require.Equal(t, 200, a.status, a.raw)
	require.Equal(t, float64(6), obj(a, "limits")["max_streams"])
	require.Equal(t, "3600s", obj(a, "limits")["max_query_range"])
	require.Equal(t, float64(8), obj(a, "limits")["max_concurrent_queries"], "PATCH keeps the fields it does not name")
	require.Equal(t, "Small", a.body["name"])

	a = e.call(t, "PATCH", "/api/v1/plans/small", op, map[string]any{"limits": map[string]any{"query_timeout": "2.500s", "max_backlog_bytes": "536870912"}})
	require.Equal(t, 200, a.status, a.raw)
	require.Equal(t, "2.500s", obj(a, "limits")["query_timeout"])
	require.Equal(t, "536870912", obj(a, "limits")["max_backlog_bytes"])
	require.Equal(t, float64(6), obj(a, "limits")["max_streams"], "PATCH keeps the fields it does not name")
	requireError(t, e.call(t, "PATCH", "/api/v1/plans/small", op, map[string]any{"limits": map[string]any{"query_timeout": "7200s"}}),
		400, "invalid_argument", "limits.query_timeout")
	requireError(t, e.call(t, "PATCH", "/api/v1/plans/small", op, map[string]any{"limits": map[string]any{"max_backlog_bytes": "-1"}}),
		400, "invalid_argument", "limits.max_backlog_bytes")

	a = e.call(t, "POST", "/api/v1/tenants", op, map[string]any{"id": "acme", "name": "ACME", "plan_id": "small"})
	require.Equal(t, 200, a.status, a.raw)
	require.Equal(t, float64(6), obj(a, "limits")["max_streams"], "a tenant shows its plan's limits")
	require.Equal(t, "2.500s", obj(a, "limits")["query_timeout"], "a tenant shows its plan's limits")
	requireError(t, e.call(t, "POST", "/api/v1/tenants", op, map[string]any{"id": "acme", "name": "ACME", "plan_id": "small"}), 409, "already_exists", "")
	requireError(t, e.call(t, "POST", "/api/v1/tenants", op, map[string]any{"id": "beta", "name": "Beta", "plan_id": "nope"}), 400, "invalid_argument", "plan_id")
	requireError(t, e.call(t, "POST", "/api/v1/tenants", op, map[string]any{"id": "Beta!", "name": "Beta", "plan_id": "small"}), 400, "invalid_argument", "id")

	a = e.call(t, "PATCH", "/api/v1/tenants/acme", op, map[string]any{"name": "ACME Inc."})
	require.Equal(t, 200, a.status, a.raw)
	require.Equal(t, "small", a.body["plan_id"])
	require.Equal(t, "ACME Inc.", a.body["name"])

	a = e.call(t, "POST", "/api/v1/users", op, map[string]any{"tenant_id": "acme", "email": "boss@acme.test", "role": "admin", "password": "boss password"})
	require.Equal(t, 200, a.status, a.raw)
	require.NotContains(t, a.body, "password")
	require.Equal(t, "acme", a.body["tenant_id"])
	requireError(t, e.call(t, "POST", "/api/v1/users", op, map[string]any{"tenant_id": "acme", "email": "x@acme.test", "role": "admin", "password": "short"}), 400, "invalid_argument", "password")
	requireError(t, e.call(t, "DELETE", "/api/v1/plans/small", op, nil), 400, "plan_in_use", "")
}

func adminManagesStreams(t *testing.T, e *env, admin string) {
	a := e.call(t, "POST", "/api/v1/streams", admin, map[string]any{"name": "web", "source_type": "nginx_access",
		"labels": map[string]string{"env": "prod", "team": "web"}, "parser": map[string]any{"timezone": "Europe/Paris"}})
	require.Equal(t, 200, a.status, a.raw)
	require.Equal(t, map[string]any{"timezone": "Europe/Paris"}, a.body["parser"])

	a = e.call(t, "PATCH", "/api/v1/streams/web", admin, map[string]any{"labels": map[string]string{"env": "dev"}})
	require.Equal(t, 200, a.status, a.raw)
	require.Equal(t, map[string]any{"env": "dev"}, a.body["labels"], "a map is replaced whole")
	require.Equal(t, "nginx_access", a.body["source_type"], "PATCH keeps the fields it does not name")
	require.Equal(t, map[string]any{"timezone": "Europe/Paris"}, a.body["parser"])

	a = e.call(t, "PATCH", "/api/v1/streams/web", admin, map[string]any{})
	require.Equal(t, 200, a.status, a.raw)
	require.Equal(t, "nginx_access", a.body["source_type"], "an empty PATCH changes nothing")
	require.Equal(t, map[string]any{"env": "dev"}, a.body["labels"])

	a = e.call(t, "POST", "/api/v1/streams", admin, map[string]any{"name": "app", "source_type": "no-such-type"})
	requireError(t, a, 400, "invalid_argument", "source_type")
	require.Contains(t, a.body["message"], "nginx_access", "the answer lists the source types")
	requireError(t, e.call(t, "POST", "/api/v1/streams", admin, map[string]any{"name": "Web!", "source_type": "json"}), 400, "invalid_argument", "name")
	requireError(t, e.call(t, "POST", "/api/v1/streams", admin, map[string]any{"name": "web", "source_type": "json"}), 409, "already_exists", "")
	requireError(t, e.call(t, "PATCH", "/api/v1/streams/web", admin, map[string]any{"nonsense": 1}), 400, "invalid_argument", "")
	adminSavesParsers(t, e, admin)
}

// adminSavesParsers saves patterns, multiline and pipelines, and is refused bad ones with
// the setting and the position.
func adminSavesParsers(t *testing.T, e *env, admin string) {
	a := e.call(t, "POST", "/api/v1/streams", admin, map[string]any{"name": "app", "source_type": "text", "parser": map[string]any{
		"patterns":  []string{"^%{TIMESTAMP_ISO8601:@timestamp} %{LOGLEVEL:log.level} %{GREEDYDATA:message}$"},
		"multiline": map[string]any{"preset": "stack_traces"},
		"pipeline":  []any{map[string]any{"route": map[string]any{"if": "log.level:ERROR", "stream": "web"}}}}})
	require.Equal(t, 200, a.status, a.raw)

	a = e.call(t, "PATCH", "/api/v1/streams/app", admin, map[string]any{"parser": map[string]any{"patterns": []string{"%{IP:source.ip} %{NOPE:x}"}}})
	requireError(t, a, 400, "invalid_argument", "parser.patterns[0]")
	require.Contains(t, a.body["message"], "at offset 18: unknown pattern NOPE")
	a = e.call(t, "PATCH", "/api/v1/streams/app", admin, map[string]any{"parser": map[string]any{"multiline": true}})
	requireError(t, a, 400, "invalid_argument", "parser.multiline")
	a = e.call(t, "PATCH", "/api/v1/streams/app", admin, map[string]any{"parser": map[string]any{
		"pipeline": []any{map[string]any{"duplicate": map[string]any{"stream": "nowhere"}}}}})
	requireError(t, a, 400, "invalid_argument", "parser.pipeline")
	require.Contains(t, a.body["message"], `"nowhere", which does not exist`)

	// app routes to web: deleting web would leave app's routed events under a name the
	// tenant no longer has.
	a = e.call(t, "DELETE", "/api/v1/streams/web", admin, nil)
	requireError(t, a, 400, "stream_in_use", "")
	require.Contains(t, a.body["message"], `stream "app" routes events to "web"`)
	require.Equal(t, 200, e.call(t, "GET", "/api/v1/streams/web", admin, nil).status, "web is kept")
	require.Equal(t, 200, e.call(t, "DELETE", "/api/v1/streams/app", admin, nil).status)
}

func adminManagesKeys(t *testing.T, e *env, admin string) {
	a := e.call(t, "POST", "/api/v1/keys", admin, map[string]any{"name": "shipper", "scopes": []string{"ingest"}})
	require.Equal(t, 200, a.status, a.raw)
	secret := a.body["secret"].(string)
	require.Regexp(t, `^trl_`, secret)
	id := obj(a, "key")["id"].(string)
	require.Contains(t, secret, id)

	a = e.call(t, "POST", "/api/v1/keys", admin, map[string]any{"name": "ops", "scopes": []string{"admin"}})
	require.Equal(t, 200, a.status, a.raw)
	adminKey := a.body["secret"].(string)
	for _, path := range []string{"/api/v1/keys/" + id, "/api/v1/keys"} {
		a = e.call(t, "GET", path, admin, nil)
		require.Equal(t, 200, a.status, a.raw)
		require.NotContains(t, a.raw, secret, "the secret is shown once")
		require.NotContains(t, a.raw, "secret")
		require.NotContains(t, a.raw, "sha256:")
	}
	require.Len(t, a.body["keys"], 2)
	requireError(t, e.call(t, "POST", "/api/v1/keys", admin, map[string]any{"name": "x", "scopes": []string{"root"}}), 400, "invalid_argument", "scopes")

	require.NoError(t, e.cache.Refresh(context.Background()))
	a = e.call(t, "GET", "/api/v1/streams/web", adminKey, nil)
	require.Equal(t, 200, a.status, "a new admin key works after the cache reloads: %s", a.raw)
	a = e.call(t, "POST", "/api/v1/keys/"+id+"/revoke", admin, nil)
	require.Equal(t, 200, a.status, a.raw)
	require.NotNil(t, a.body["revoke_time"])
}

func streamsPage(t *testing.T, e *env, admin string) {
	for i := range 5 {
		a := e.call(t, "POST", "/api/v1/streams", admin, map[string]any{"name": fmt.Sprintf("s%d", i), "source_type": "json"})
		require.Equal(t, 200, a.status, a.raw)
	}
	requireError(t, e.call(t, "POST", "/api/v1/streams", admin, map[string]any{"name": "one-too-many", "source_type": "json"}), 400, "limit_reached", "")
	var names []string
	token, pages := "", 0
	for {
		a := e.call(t, "GET", "/api/v1/streams?"+url.Values{"page_size": {"2"}, "page_token": {token}}.Encode(), admin, nil)
		require.Equal(t, 200, a.status, a.raw)
		for _, s := range a.body["streams"].([]any) {
			names = append(names, s.(map[string]any)["name"].(string))
		}
		pages++
		token = a.body["next_page_token"].(string)
		if token == "" {
			break
		}
		require.Less(t, pages, 10)
	}
	require.Equal(t, []string{"s0", "s1", "s2", "s3", "s4", "web"}, names)
	require.Equal(t, 3, pages)
	requireError(t, e.call(t, "GET", "/api/v1/streams?page_size=5000", admin, nil), 400, "invalid_argument", "page_size")
	requireError(t, e.call(t, "GET", "/api/v1/streams?page_token=%21%21", admin, nil), 400, "invalid_argument", "page_token")
}

func restErrors(t *testing.T, e *env, op, admin string) {
	a := e.call(t, "GET", "/api/v1/streams", "", nil)
	requireError(t, a, 401, "unauthenticated", "")
	require.Contains(t, a.header.Get("WWW-Authenticate"), "Bearer")
	requireError(t, e.call(t, "GET", "/api/v1/streams", "not-a-key", nil), 401, "unauthenticated", "")
	a = e.call(t, "GET", "/api/v1/streams", op, nil)
	requireError(t, a, 403, "forbidden", "")
	require.Equal(t, "operators do not read tenants' logs", a.body["message"])
	requireError(t, e.call(t, "GET", "/api/v1/plans", admin, nil), 403, "forbidden", "")
	a = e.call(t, "GET", "/api/v1/streams/nope", admin, nil)
	requireError(t, a, 404, "not_found", "")
	require.Equal(t, "stream not found", a.body["message"])

	// Failed sign-ins of one account are limited: 401 until the limit, then 429.
	var last restAnswer
	for range 10 {
		last = e.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": "boss@acme.test", "password": "wrong password"})
		if last.status != 401 {
			break
		}
	}
	requireError(t, last, 429, "too_many_requests", "")
	retry, err := strconv.Atoi(last.header.Get("Retry-After"))
	require.NoError(t, err, last.header.Get("Retry-After"))
	require.Positive(t, retry)
}

func auditTrail(t *testing.T, e *env, op, admin string) {
	a := e.call(t, "GET", "/api/v1/audit?action=stream.", admin, nil)
	require.Equal(t, 200, a.status, a.raw)
	entries := a.body["entries"].([]any)
	require.NotEmpty(t, entries)
	var created map[string]any
	for _, x := range entries {
		en := x.(map[string]any)
		require.Regexp(t, `^stream\.`, en["action"])
		require.Equal(t, "acme", en["tenant_id"])
		if en["action"] == "stream.create" && en["target"] == "web" {
			created = en
		}
	}
	require.NotNil(t, created)
	actor := created["actor"].(map[string]any)
	require.Equal(t, "user", actor["kind"])
	require.Equal(t, "boss@acme.test", actor["name"])
	require.Equal(t, "acme", actor["tenant_id"])
	require.Equal(t, "127.0.0.1", actor["address"], "the address of the connection")

	a = e.call(t, "GET", "/api/v1/audit?tenant_id=acme&action=plan.", op, nil)
	require.Equal(t, 200, a.status, a.raw)
	require.Empty(t, a.body["entries"], "plan changes concern no tenant")
	a = e.call(t, "GET", "/api/v1/audit?action=plan.", op, nil)
	require.Len(t, a.body["entries"], 3, "an operator reads every entry: a create and two updates")
}

// TestDeleteRoutedStreamInTenant refuses to delete a stream that a stream of its own tenant
// routes to, and only that: another tenant's route to a stream of the same name does not
// hold it.
func TestDeleteRoutedStreamInTenant(t *testing.T) {
	w := newWorld(t, stores()["sqlite"](t))
	ctx := context.Background()
	for _, st := range []tenant.Stream{
		{TenantID: w.corp.id, Name: w.acme.stream, SourceType: "json"},
		{TenantID: w.corp.id, Name: "router", SourceType: "json",
			Parser: []byte(`{"pipeline":[{"duplicate":{"stream":"` + w.acme.stream + `"}}]}`)},
	} {
		_, err := w.cat.CreateStream(ctx, system, st)
		require.NoError(t, err)
	}
	path := "/api/v1/streams/" + w.acme.stream

	a := w.call(t, "DELETE", path, w.corp.adminJWT, nil)
	requireError(t, a, 400, "stream_in_use", "")
	require.Contains(t, a.body["message"], `stream "router" routes events to "`+w.acme.stream+`"`)
	require.Equal(t, 200, w.call(t, "DELETE", path, w.acme.adminJWT, nil).status, "acme's stream, which no acme stream routes to")
}
