package ecs

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

// values collects what AnyValue offers, strings quoted.
func values(d *Document, path string) []string {
	out := []string{}
	d.AnyValue(path, func(v []byte, isString, _ bool) bool {
		if isString {
			out = append(out, strconvQuote(v))
		} else {
			out = append(out, string(v))
		}
		return false
	})
	return out
}

func strconvQuote(v []byte) string {
	b, _ := json.Marshal(string(sanitized(v)))
	return string(b)
}

// sanitized replaces each invalid byte, as the encoder does.
func sanitized(v []byte) []byte {
	var out []byte
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRune(v[i:])
		out = utf8.AppendRune(out, r)
		i += size
	}
	return out
}

func merge(t testing.TB, d *Document, js string) {
	t.Helper()
	require.NoError(t, d.MergeJSON([]byte(js)))
}

func TestAnyValue(t *testing.T) {
	ts := time.Date(2024, 1, 31, 8, 15, 2, 250e6, time.UTC)
	tests := []struct {
		name  string
		build func(t *testing.T, d *Document)
		path  string
		want  []string
	}{
		{"string", func(_ *testing.T, d *Document) { d.SetString("a.b", "x") }, "a.b", []string{`"x"`}},
		{"bytes", func(_ *testing.T, d *Document) { d.SetBytes("a", []byte("y")) }, "a", []string{`"y"`}},
		{"int", func(_ *testing.T, d *Document) { d.SetInt("n", -42) }, "n", []string{"-42"}},
		{"float and bool", func(_ *testing.T, d *Document) { d.SetFloat("f", 1.5); d.SetBool("f", true) }, "f", []string{"true"}},
		{"time is a string", func(_ *testing.T, d *Document) { d.SetTime("t", ts) }, "t", []string{`"2024-01-31T08:15:02.25Z"`}},
		{"missing", func(_ *testing.T, d *Document) { d.SetString("a", "x") }, "b", []string{}},
		{"object is no value", func(_ *testing.T, d *Document) { d.SetString("a.b", "x") }, "a", []string{}},
		{"last of a layer wins", func(_ *testing.T, d *Document) { d.SetString("a", "1"); d.SetString("a", "2") }, "a", []string{`"2"`}},
		{"reserved wins", func(_ *testing.T, d *Document) {
			d.Reserve()
			d.SetString("a", "reserved")
			d.layer = layerUser
			d.SetString("a", "user")
		}, "a", []string{`"reserved"`}},
		{"merged JSON", func(t *testing.T, d *Document) {
			merge(t, d, `{"http":{"response":{"status_code":200}},"url.path":"/x\u00e9\"","ok":false,"z":null}`)
		}, "url.path", []string{`"/xé\""`}},
		{"merged number", func(t *testing.T, d *Document) {
			merge(t, d, `{"http":{"response":{"status_code":2.5e2}}}`)
		}, "http.response.status_code", []string{"2.5e2"}},
		{"null is no value", func(t *testing.T, d *Document) { merge(t, d, `{"z":null}`) }, "z", []string{}},
		{"array elements", func(t *testing.T, d *Document) {
			merge(t, d, `{"a":["s\n",1,true,null,{"k":"v"},[2]]}`)
		}, "a", []string{`"s\n"`, "1", "true"}},
		{"tags join", func(t *testing.T, d *Document) {
			merge(t, d, `{"tags":["user"]}`)
			d.AddTag("_parse_failure")
		}, "tags", []string{`"user"`, `"_parse_failure"`}},
		{"value moved inside an object", func(_ *testing.T, d *Document) { d.SetInt("a", 1); d.SetInt("a.b", 2) }, "a", []string{}},
		{"value beside the object it moved into", func(_ *testing.T, d *Document) { d.SetInt("a", 1); d.SetInt("a.b", 2) }, "a.b", []string{"2"}},
		{"reserved value keeps its path", func(t *testing.T, d *Document) {
			merge(t, d, `{"message":{"text":"user"}}`)
			d.Reserve()
			d.SetString("message", "line")
		}, "message", []string{`"line"`}},
		{"user object moved aside", func(t *testing.T, d *Document) {
			merge(t, d, `{"message":{"text":"user"}}`)
			d.Reserve()
			d.SetString("message", "line")
		}, "message.text", []string{}},
		{"empty object is no value", func(t *testing.T, d *Document) { merge(t, d, `{"e":{}}`) }, "e", []string{}},
		{"inside a raw object", func(_ *testing.T, d *Document) { d.SetRaw("r", `{"a":{"b":[1,"x"]},"c":"d"}`) }, "r.a.b", []string{"1", `"x"`}},
		{"raw object member missing", func(_ *testing.T, d *Document) { d.SetRaw("r", `{"a":1}`) }, "r.b", []string{}},
		{"raw string", func(_ *testing.T, d *Document) { d.SetRaw("@timestamp", `"2024-01-01T00:00:00Z"`) }, "@timestamp", []string{`"2024-01-01T00:00:00Z"`}},
		{"removed", func(_ *testing.T, d *Document) { d.SetString("a.b", "x"); d.Remove("a") }, "a.b", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			tt.build(t, &d)
			require.Equal(t, tt.want, values(&d, tt.path))
			require.Equal(t, lookupJSON(t, d.AppendJSON(nil), tt.path), tt.want, "what the encoded document holds")
		})
	}
}

func TestAnyValueStops(t *testing.T) {
	var d Document
	merge(t, &d, `{"a":["x","y","z"]}`)
	var seen []string
	found := d.AnyValue("a", func(v []byte, _, _ bool) bool {
		seen = append(seen, string(v))
		return string(v) == "y"
	})
	require.True(t, found)
	require.Equal(t, []string{"x", "y"}, seen)
	require.False(t, d.AnyValue("a", func([]byte, bool, bool) bool { return false }))
}

func TestAnyValueInArray(t *testing.T) {
	var d Document
	merge(t, &d, `{"a":["x",2],"b":"y","c":3}`)
	got := map[string]bool{}
	for _, path := range []string{"a", "b", "c"} {
		d.AnyValue(path, func(v []byte, _, inArray bool) bool {
			got[path+"="+string(v)] = inArray
			return false
		})
	}
	require.Equal(t, map[string]bool{"a=x": true, "a=2": true, "b=y": false, "c=3": false}, got)
}

func TestAnyText(t *testing.T) {
	var d Document
	merge(t, &d, `{"a":"one","n":1,"arr":["two",{"k":"three","k2":["four"]},5],"o":{"p":"fi\"ve"},"e":{},"dup":"lost"}`)
	d.SetString("dup", "won")
	d.SetTime("t", time.Unix(0, 0))
	d.SetRaw("r", `{"key":"six"}`)
	d.AddTag("seven")
	var got []string
	d.AnyText(func(path string, v []byte) bool {
		got = append(got, path+"="+string(v))
		return false
	})
	slices.Sort(got)
	require.Equal(t, []string{"a=one", "arr=5", "arr=four", "arr=three", "arr=two", "dup=won", "n=1", "o.p=fi\"ve",
		"r=six", "t=1970-01-01T00:00:00Z", "tags=seven"}, got)
	require.True(t, d.AnyText(func(_ string, v []byte) bool { return string(v) == "six" }))
}

func TestEdits(t *testing.T) {
	tests := []struct {
		name  string
		build func(t *testing.T, d *Document)
		edit  func(d *Document) int
		n     int
		want  string
	}{
		{"remove a value", func(_ *testing.T, d *Document) { d.SetString("a", "x"); d.SetString("b", "y") },
			func(d *Document) int { return d.Remove("a") }, 1, `{"b":"y"}`},
		{"remove an object", func(t *testing.T, d *Document) { merge(t, d, `{"a":{"b":1,"c":{"d":2}},"ab":3}`) },
			func(d *Document) int { return d.Remove("a") }, 2, `{"ab":3}`},
		{"remove every value of a path", func(_ *testing.T, d *Document) { d.SetString("a", "x"); d.Reserve(); d.SetString("a", "y") },
			func(d *Document) int { return d.Remove("a") }, 2, `{}`},
		{"remove nothing", func(_ *testing.T, d *Document) { d.SetString("a", "x") },
			func(d *Document) int { return d.Remove("b") }, 0, `{"a":"x"}`},
		{"rename a value", func(_ *testing.T, d *Document) { d.SetString("a", "x") },
			func(d *Document) int { return d.Rename("a", "b.c") }, 1, `{"b":{"c":"x"}}`},
		{"rename an object replaces the target", func(t *testing.T, d *Document) { merge(t, d, `{"a":{"b":1,"c":2},"t":{"old":0}}`) },
			func(d *Document) int { return d.Rename("a", "t") }, 2, `{"t":{"b":1,"c":2}}`},
		{"rename into itself", func(t *testing.T, d *Document) { merge(t, d, `{"a":{"b":1},"c":2}`) },
			func(d *Document) int { return d.Rename("a", "a.x") }, 1, `{"a":{"x":{"b":1}},"c":2}`},
		{"rename out of itself", func(t *testing.T, d *Document) { merge(t, d, `{"a":{"b":{"c":1},"d":2}}`) },
			func(d *Document) int { return d.Rename("a.b", "a") }, 1, `{"a":{"c":1}}`},
		{"rename missing changes nothing", func(_ *testing.T, d *Document) { d.SetString("t", "x") },
			func(d *Document) int { return d.Rename("a", "t") }, 0, `{"t":"x"}`},
		{"copy an object", func(t *testing.T, d *Document) { merge(t, d, `{"a":{"b":"x","c":[1]}}`); d.SetString("a.b", "y") },
			func(d *Document) int { return d.Copy("a", "z") }, 2, `{"a":{"b":"y","c":[1]},"z":{"b":"y","c":[1]}}`},
		{"copy tags", func(_ *testing.T, d *Document) { d.AddTag("t1"); d.AddTag("t2") },
			func(d *Document) int { return d.Copy("tags", "labels.t") }, 2, `{"labels":{"t":["t1","t2"]},"tags":["t1","t2"]}`},
		{"copy into itself does nothing", func(_ *testing.T, d *Document) { d.SetString("a", "x") },
			func(d *Document) int { return d.Copy("a", "a.b") }, 0, `{"a":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			tt.build(t, &d)
			require.Equal(t, tt.n, tt.edit(&d))
			got := d.AppendJSON(nil)
			require.Equal(t, tt.want, string(got))
			require.NoError(t, ecstest.Check(got))
		})
	}
}

func upper(dst, s []byte) ([]byte, bool) {
	if !bytes.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") {
		return dst, false
	}
	return append(dst, bytes.ToUpper(s)...), true
}

func TestEditStrings(t *testing.T) {
	tests := []struct {
		name  string
		build func(t *testing.T, d *Document)
		path  string
		n     int
		want  string
	}{
		{"bytes", func(_ *testing.T, d *Document) { d.SetBytes("m", []byte("abc")) }, "m", 1, `{"m":"ABC"}`},
		{"string", func(_ *testing.T, d *Document) { d.SetString("m", "abc") }, "m", 1, `{"m":"ABC"}`},
		{"unchanged", func(_ *testing.T, d *Document) { d.SetString("m", "ABC") }, "m", 0, `{"m":"ABC"}`},
		{"raw string unescaped", func(t *testing.T, d *Document) { merge(t, d, `{"m":["a\"b"]}`) }, "m", 1, `{"m":["A\"B"]}`},
		{"array keeps other elements", func(t *testing.T, d *Document) { merge(t, d, `{"m":["ABC",1,"x",{"k":"v"},null]}`) },
			"m", 1, `{"m":["ABC",1,"X",{"k":"v"},null]}`},
		{"numbers stay", func(_ *testing.T, d *Document) { d.SetInt("m", 5) }, "m", 0, `{"m":5}`},
		{"only the winner", func(_ *testing.T, d *Document) { d.SetString("m", "lost"); d.Reserve(); d.SetString("m", "won") }, "m", 1, `{"m":"WON"}`},
		{"every tag", func(t *testing.T, d *Document) { merge(t, d, `{"tags":["a"]}`); d.AddTag("b") }, "tags", 2, `{"tags":["A","B"]}`},
		{"keeps the layer", func(_ *testing.T, d *Document) { d.SetString("m", "v"); d.SetString("m.x", "child") }, "m", 1, `{"m":{"_value":"V","x":"child"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			tt.build(t, &d)
			require.Equal(t, tt.n, d.EditStrings(tt.path, upper))
			require.Equal(t, tt.want, string(d.AppendJSON(nil)))
		})
	}
}

// A copy encoded between Mark and Revert leaves the document as it was, although the
// encoder marked the original values as lost to the copy's.
func TestRevertAfterEncoding(t *testing.T) {
	var d Document
	d.SetString("x", "user")
	d.Reserve()
	d.SetString("event.dataset", "nginx")
	d.SetString("x", "reserved")
	before := string(d.AppendJSON(nil))

	m := d.Mark()
	d.SetString("event.dataset", "copy")
	require.Equal(t, `{"event":{"dataset":"copy"},"x":"reserved"}`, string(d.AppendJSON(nil)))
	d.Revert(m)
	require.Equal(t, before, string(d.AppendJSON(nil)))
	require.Equal(t, []string{`"nginx"`}, values(&d, "event.dataset"))
}

// lookupJSON returns the values at path in an encoded document, as AnyValue should.
func lookupJSON(t testing.TB, doc []byte, path string) []string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	for seg := range strings.SplitSeq(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{}
		}
		if v, ok = obj[seg]; !ok {
			return []string{}
		}
	}
	out := []string{}
	scalar := func(v any) {
		switch v := v.(type) {
		case string:
			b, _ := json.Marshal(v)
			out = append(out, string(b))
		case json.Number:
			out = append(out, v.String())
		case bool:
			out = append(out, map[bool]string{true: "true", false: "false"}[v])
		}
	}
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			scalar(e)
		}
	} else {
		scalar(v)
	}
	return out
}

// stringsJSON returns every string value of an encoded document.
func stringsJSON(t testing.TB, doc []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	var out []string
	var walk func(v any, inArray bool)
	walk = func(v any, inArray bool) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case json.Number:
			out = append(out, string(v))
		case bool:
			out = append(out, strconv.FormatBool(v))
		case nil:
			if inArray { // an array's nulls are in its text
				out = append(out, "null")
			}
		case []any:
			for _, e := range v {
				walk(e, true)
			}
		case map[string]any:
			for _, e := range v {
				walk(e, inArray)
			}
		}
	}
	walk(v, false)
	slices.Sort(out)
	return out
}
