package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Project returns the JSON object source holding only the values at paths (dotted ECS
// paths), nested as in source; a path naming an object keeps all of it, and a path that
// source lacks is left out. A key with dots in it is matched whole too.
func Project(source []byte, paths []string) ([]byte, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(source))
	dec.UseNumber() // numbers come back as written
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("project source: %w", err)
	}
	out := map[string]any{}
	for _, p := range paths {
		if keys, v, ok := pick(doc, p); ok {
			put(out, keys, v)
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// pick finds path in m, as a key or as keys of nested objects, returning the keys it went
// through and the value.
func pick(m map[string]any, path string) ([]string, any, bool) {
	if v, ok := m[path]; ok {
		return []string{path}, v, true
	}
	for i := strings.IndexByte(path, '.'); i > 0; i = nextDot(path, i) {
		sub, ok := m[path[:i]].(map[string]any)
		if !ok {
			continue
		}
		if keys, v, ok := pick(sub, path[i+1:]); ok {
			return append([]string{path[:i]}, keys...), v, true
		}
	}
	return nil, nil, false
}

func nextDot(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// put sets v at keys in out; a value already set above keys holds v already.
func put(out map[string]any, keys []string, v any) {
	for _, k := range keys[:len(keys)-1] {
		next, ok := out[k]
		if !ok {
			m := map[string]any{}
			out[k] = m
			out = m
			continue
		}
		m, ok := next.(map[string]any)
		if !ok {
			return
		}
		out = m
	}
	out[keys[len(keys)-1]] = v
}
