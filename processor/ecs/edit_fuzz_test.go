package ecs

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

// fuzzPaths are the paths the fuzzed edits use: they collide with each other and with
// the seeds' keys.
var fuzzPaths = []string{"a", "a.b", "a.b.c", "message", "message.text", "tags", "x", "x.y", "event.id", "r"}

// applyOps edits d by ops, two bytes per edit: what to do, and which path.
func applyOps(d *Document, ops []byte) {
	for i := 0; i+1 < len(ops); i += 2 {
		p := fuzzPaths[int(ops[i+1])%len(fuzzPaths)]
		q := fuzzPaths[int(ops[i+1]/16)%len(fuzzPaths)]
		switch ops[i] % 11 {
		case 0:
			d.Reserve()
		case 1:
			d.SetString(p, "s"+p)
		case 2:
			d.SetInt(p, int64(ops[i+1]))
		case 3:
			d.AddTag("t")
		case 4:
			d.Remove(p)
		case 5:
			d.Rename(p, q)
		case 6:
			d.Copy(p, q)
		case 7:
			d.SetRaw(p, `{"k":["v",1],"a":{"b":"w"}}`)
		case 8:
			d.EditStrings(p, upper)
		case 9:
			d.SetRaw(p, `["e",{"f":"g"}]`)
		case 10:
			d.add(field{path: p, kind: kindEmptyObject})
		}
	}
}

// Whatever is merged and edited, reads see what the encoded document holds, and the
// document stays well-formed.
func FuzzReads(f *testing.F) {
	f.Add([]byte(`{"a":1,"a.b":2}`), []byte{})
	f.Add([]byte(`{"message":{"text":"user"},"tags":["x",{"y":"z"}]}`), []byte{0, 0, 1, 3, 3, 0})
	f.Add([]byte(`{"a":{"b":{"c":"d"}},"x":[1,"é\u0000"],"e":{}}`), []byte{5, 0x12, 6, 0x76, 8, 5})
	f.Add([]byte(`{"r":{"k":"\"q\""},"a.b":true,"a":null}`), []byte{0, 1, 7, 9, 4, 2, 10, 1})
	f.Add([]byte(`{"x":"\xff\xfe","x.y":[[1]]}`), []byte{2, 7, 1, 8, 0, 4, 1, 0, 9, 6})
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		var d Document
		if d.MergeJSON(data) != nil {
			d.Reset()
		}
		applyOps(&d, ops)
		doc := d.AppendJSON(nil)
		require.NoError(t, ecstest.Check(doc), "%s", doc)

		paths := slices.Clone(fuzzPaths)
		for i := range d.fields {
			paths = append(paths, d.fields[i].path)
		}
		for _, p := range paths {
			require.Equal(t, lookupJSON(t, doc, p), values(&d, p), "path %s of %s", p, doc)
		}
		var texts []string
		d.AnyText(func(_ string, v []byte) bool {
			texts = append(texts, string(sanitized(v)))
			return false
		})
		slices.Sort(texts)
		require.Equal(t, stringsJSON(t, doc), texts, "strings of %s", doc)
	})
}
