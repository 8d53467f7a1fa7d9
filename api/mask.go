package api

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// fieldMask says which fields of a resource an update changes.
type fieldMask struct {
	all   bool
	paths []string
}

// readMask checks an update's mask against the paths the resource knows (leaf paths:
// "name", "limits.max_streams"; a map or struct field is one path). An empty mask
// changes every field on gRPC, and nothing through REST, where the gateway fills the mask
// from the fields of the JSON body: an empty body changes nothing.
func readMask(ctx context.Context, m *fieldmaskpb.FieldMask, known []string) (fieldMask, error) {
	var paths []string
	for _, p := range m.GetPaths() {
		switch {
		case p == "": // the gateway's mask of an empty JSON object
		case !knownPath(p, known):
			return fieldMask{}, invalidField("update_mask", fmt.Sprintf("no field %q", p))
		default:
			paths = append(paths, p)
		}
	}
	if len(m.GetPaths()) == 0 {
		return fieldMask{all: !callInfoFrom(ctx).rest}, nil
	}
	return fieldMask{paths: paths}, nil
}

// knownPath: p is a known path, a message holding some ("limits"), or within a map or
// struct field ("labels.env").
func knownPath(p string, known []string) bool {
	for _, k := range known {
		if p == k || strings.HasPrefix(k, p+".") || strings.HasPrefix(p, k+".") {
			return true
		}
	}
	return false
}

// has reports whether the update changes path: the mask names it, a message holding it,
// or a part of it (a part of a map or struct replaces the whole field).
func (m fieldMask) has(path string) bool {
	if m.all {
		return true
	}
	for _, p := range m.paths {
		if p == path || strings.HasPrefix(path, p+".") || strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

// set copies v into *dst when the update changes path.
func set[T any](m fieldMask, path string, dst *T, v T) {
	if m.has(path) {
		*dst = v
	}
}
