package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// server is where a started trolly listens.
type server struct {
	apiURL, ingestURL, adminURL string
}

func (s server) readyURLs() []string {
	return []string{s.adminURL + "/readyz", s.apiURL + "/readyz", s.ingestURL + "/readyz"}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(a.body, v), "body: %s", a.body)
}

// errorBody is the one shape of every error answer.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Line    int    `json:"line"`
}

func do(t *testing.T, method, u, key string, header map[string]string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// ingest posts lines to a stream; contentType "" sends text/plain.
func (s server) ingest(t *testing.T, key, stream, contentType string, lines []string, gz bool) answer {
	t.Helper()
	body := []byte(strings.Join(lines, "\n") + "\n")
	h := map[string]string{"Content-Type": "text/plain"}
	if contentType != "" {
		h["Content-Type"] = contentType
	}
	if gz {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, err := w.Write(body)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		body = b.Bytes()
		h["Content-Encoding"] = "gzip"
	}
	return do(t, http.MethodPost, s.ingestURL+"/ingest/v1/streams/"+stream, key, h, body)
}

// mustIngest ingests and requires all lines accepted.
func (s server) mustIngest(t *testing.T, key, stream, contentType string, lines []string, gz bool) {
	t.Helper()
	a := s.ingest(t, key, stream, contentType, lines, gz)
	require.Equal(t, http.StatusAccepted, a.status, "body: %s", a.body)
	var got struct{ Accepted int }
	a.json(t, &got)
	require.Equal(t, len(lines), got.Accepted)
}

type hit struct {
	ID        string         `json:"id"`
	Index     string         `json:"index"`
	Timestamp string         `json:"timestamp"`
	Source    map[string]any `json:"source"`
}

type result struct {
	Total string `json:"total"` // int64 is a string in proto3 JSON
	Hits  []hit  `json:"hits"`
}

func (r result) total(t *testing.T) int {
	var n int
	_, err := fmt.Sscan(r.Total, &n)
	require.NoError(t, err, "total %q", r.Total)
	return n
}

func (s server) searchRaw(t *testing.T, key, q, from, to string, limit int) answer {
	t.Helper()
	v := url.Values{"q": {q}, "from": {from}, "to": {to}, "limit": {fmt.Sprint(limit)}}
	return do(t, http.MethodGet, s.apiURL+"/api/v1/search?"+v.Encode(), key, nil, nil)
}

func (s server) search(t *testing.T, key, q, from, to string, limit int) result {
	t.Helper()
	a := s.searchRaw(t, key, q, from, to, limit)
	require.Equal(t, http.StatusOK, a.status, "q=%q body: %s", q, a.body)
	var r result
	a.json(t, &r)
	return r
}

// field returns the value at a dotted path of a nested document.
func field(doc map[string]any, path string) any {
	var cur any = doc
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
