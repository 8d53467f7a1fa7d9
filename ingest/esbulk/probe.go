package esbulk

import (
	"net/http"
	"strings"
)

// Cluster is what Trolly says about itself to shippers that ask.
type Cluster struct {
	// Name is the cluster and node name; "trolly" when empty.
	Name string
	// UUID is the cluster_uuid Logstash records; "trolly" when empty.
	UUID string
	// Version is the Elasticsearch version claimed; DefaultVersion when empty. Beats
	// refuse a server older than themselves unless allow_older_versions is set, so it
	// is the last minor of 8.x, which every 8.x shipper accepts.
	Version string
}

// DefaultVersion is the Elasticsearch version Trolly claims by default.
const DefaultVersion = "8.19.0"

func (c Cluster) withDefaults() Cluster {
	if c.Name == "" {
		c.Name = "trolly"
	}
	if c.UUID == "" {
		c.UUID = "trolly"
	}
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	return c
}

// setupPrefixes are the APIs shippers call to install templates, ILM policies, ingest
// pipelines and aliases before they send (Beats' setup, Logstash's manage_template and
// ILM rollover). Trolly owns its indices, so each is acknowledged and otherwise ignored;
// a GET or HEAD says the object exists, so the shipper does not try to create it.
var setupPrefixes = []string{
	"/_index_template", "/_template", "/_component_template", "/_ilm/", "/_ingest/pipeline",
	"/_alias", "/_data_stream", "/_logstash/pipeline",
}

// Probe answers the requests shippers send besides _bulk; path is relative to where the
// Elasticsearch API is served ("/", "/_license"...). It reports false for a path it does
// not know, which NoHandler answers.
func Probe(method, path string, c Cluster) (Response, bool) {
	c = c.withDefaults()
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	ok := func(body string) (Response, bool) {
		if method == http.MethodHead {
			return Response{Status: http.StatusOK}, true
		}
		return Response{Status: http.StatusOK, Body: []byte(body)}, true
	}
	read := method == http.MethodGet || method == http.MethodHead
	switch {
	case read && (path == "" || path == "/"):
		return ok(rootBody(c))
	case read && path == "/_license":
		return ok(`{"license":` + license + `}`)
	case read && path == "/_xpack":
		return ok(xpackBody)
	case read && (path == "/_cluster/health" || strings.HasPrefix(path, "/_cluster/health/")):
		return ok(`{"cluster_name":` + quote(c.Name) + `,"status":"green","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1}`)
	case read && strings.HasPrefix(path, "/_nodes"):
		return ok(`{"_nodes":{"total":0,"successful":0,"failed":0},"cluster_name":` + quote(c.Name) + `,"nodes":{}}`)
	case method == http.MethodHead && isIndexPath(path):
		// Logstash asks whether its ILM rollover alias exists before it writes to it.
		return ok("")
	}
	for _, p := range setupPrefixes {
		if !strings.HasPrefix(path, p) {
			continue
		}
		switch method {
		case http.MethodGet, http.MethodHead:
			return ok(`{}`)
		case http.MethodPut, http.MethodPost, http.MethodDelete:
			return ok(`{"acknowledged":true}`)
		}
	}
	return Response{}, false
}

// isIndexPath reports whether path is "/<index>", an index or alias name.
func isIndexPath(path string) bool {
	name, ok := strings.CutPrefix(path, "/")
	return ok && name != "" && !strings.ContainsRune(name, '/') && checkIndex(name) == ""
}

// NoHandler is Elasticsearch's answer to a path it does not serve.
func NoHandler(method, path string) Response {
	return ErrorResponse(http.StatusBadRequest, "illegal_argument_exception",
		"no handler found for uri ["+path+"] and method ["+method+"]")
}

func rootBody(c Cluster) string {
	return `{"name":` + quote(c.Name) + `,"cluster_name":` + quote(c.Name) + `,"cluster_uuid":` + quote(c.UUID) +
		`,"version":{"number":` + quote(c.Version) + `,"build_flavor":"default","build_type":"docker",` +
		`"build_hash":"trolly","build_date":"2025-01-01T00:00:00.000Z","build_snapshot":false,` +
		`"lucene_version":"9.12.0","minimum_wire_compatibility_version":"7.17.0",` +
		`"minimum_index_compatibility_version":"7.0.0"},"tagline":"You Know, for Search"}`
}

// license is an active basic licence that never expires. Beats read type, mode and status
// (mode is in /_xpack only, but older Beats read it from /_license too).
const license = `{"status":"active","uid":"00000000-0000-4000-8000-000000000000","type":"basic","mode":"basic",` +
	`"issue_date":"2025-01-01T00:00:00.000Z","issue_date_in_millis":1735689600000,"max_nodes":1000,` +
	`"max_resource_units":null,"issued_to":"trolly","issuer":"elasticsearch","start_date_in_millis":-1}`

const xpackBody = `{"build":{"hash":"trolly","date":"2025-01-01T00:00:00.000Z"},"license":` + license +
	`,"features":{"ilm":{"available":true,"enabled":true},"security":{"available":true,"enabled":true},` +
	`"monitoring":{"available":true,"enabled":true},"ml":{"available":false,"enabled":false},` +
	`"watcher":{"available":false,"enabled":false},"graph":{"available":false,"enabled":false},` +
	`"logstash":{"available":true,"enabled":true},"rollup":{"available":true,"enabled":true}},` +
	`"tagline":"You know, for X"}`

func quote(s string) string { return string(appendString(nil, s)) }
