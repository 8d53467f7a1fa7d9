package esbulk

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProbeRoot(t *testing.T) {
	resp, ok := Probe(http.MethodGet, "/", Cluster{})
	require.True(t, ok)
	require.Equal(t, http.StatusOK, resp.Status)
	var info struct {
		Name        string
		ClusterUUID string `json:"cluster_uuid"`
		Version     struct {
			Number      string
			BuildFlavor string `json:"build_flavor"`
		}
		Tagline string
	}
	require.NoError(t, json.Unmarshal(resp.Body, &info))
	require.Equal(t, DefaultVersion, info.Version.Number)
	require.Equal(t, "default", info.Version.BuildFlavor) // "serverless" changes what Beats send
	require.Equal(t, "You Know, for Search", info.Tagline)
	require.Equal(t, "trolly", info.ClusterUUID)

	resp, ok = Probe(http.MethodGet, "", Cluster{Name: "acme \"eu\"", Version: "8.11.3"})
	require.True(t, ok)
	require.NoError(t, json.Unmarshal(resp.Body, &info))
	require.Equal(t, "8.11.3", info.Version.Number)
	require.Equal(t, `acme "eu"`, info.Name)

	resp, ok = Probe(http.MethodHead, "/", Cluster{})
	require.True(t, ok)
	require.Equal(t, http.StatusOK, resp.Status)
	require.Nil(t, resp.Body)
}

func TestProbeLicense(t *testing.T) {
	for _, path := range []string{"/_license", "/_xpack", "/_xpack/"} {
		t.Run(path, func(t *testing.T) {
			resp, ok := Probe(http.MethodGet, path, Cluster{})
			require.True(t, ok)
			// What the Beats licence check reads.
			var got struct {
				License struct{ UID, Type, Mode, Status string }
			}
			require.NoError(t, json.Unmarshal(resp.Body, &got))
			require.Equal(t, "basic", got.License.Type)
			require.Equal(t, "basic", got.License.Mode)
			require.Equal(t, "active", got.License.Status)
			require.NotEmpty(t, got.License.UID)
		})
	}
}

func TestProbePaths(t *testing.T) {
	tests := []struct {
		method, path string
		ok           bool
		body         string
	}{
		{http.MethodGet, "/_cluster/health", true, `"status":"green"`},
		{http.MethodGet, "/_nodes/http", true, `"nodes":{}`},
		{http.MethodHead, "/_index_template/filebeat-8.19.0", true, ""},
		{http.MethodGet, "/_ilm/policy/filebeat", true, `{}`},
		{http.MethodPut, "/_index_template/logstash", true, `{"acknowledged":true}`},
		{http.MethodPut, "/_ingest/pipeline/filebeat-8.19.0-system-syslog-pipeline", true, `{"acknowledged":true}`},
		{http.MethodHead, "/logstash", true, ""},
		{http.MethodGet, "/logstash", false, ""},
		{http.MethodPost, "/", false, ""},
		{http.MethodGet, "/_search", false, ""},
		{http.MethodHead, "/Bad*Index", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, ok := Probe(tt.method, tt.path, Cluster{})
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			require.Equal(t, http.StatusOK, resp.Status)
			if tt.method == http.MethodHead {
				require.Nil(t, resp.Body)
				return
			}
			require.True(t, json.Valid(resp.Body))
			require.Contains(t, string(resp.Body), tt.body)
		})
	}
}

func TestNoHandler(t *testing.T) {
	resp := NoHandler(http.MethodGet, "/_search")
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, string(resp.Body), `no handler found for uri [/_search] and method [GET]`)
}

func TestCredential(t *testing.T) {
	const key = "trl_01ARZ3NDEKTSV4RRFFQ69G5FAV_s3cr3t-Xy"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, header, want string
		ok                 bool
	}{
		{"apikey id:key", "ApiKey " + b64("trolly:"+key), key, true},
		{"apikey unpadded", "ApiKey " + base64.RawStdEncoding.EncodeToString([]byte("x:"+key)), key, true},
		{"apikey raw key", "ApiKey " + key, key, true},
		{"apikey encoded key alone", "ApiKey " + b64(key), key, true},
		{"apikey scheme case", "apikey " + b64("id:"+key), key, true},
		{"basic any user", "Basic " + b64("elastic:"+key), key, true},
		{"basic password with colon", "Basic " + b64("u:a:b"), "a:b", true},
		{"basic no password", "Basic " + b64("elastic:"), "", false},
		{"basic not base64", "Basic " + key, "", false},
		{"bearer", "Bearer " + key, key, true},
		{"empty", "", "", false},
		{"no value", "ApiKey", "", false},
		{"unknown scheme", "Digest " + key, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Credential(tt.header)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}
