package vlogs

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/VictoriaMetrics/VictoriaLogs/lib/logstorage"
	"github.com/stretchr/testify/require"
)

// stored keeps what the engine keeps of fields: the non-empty values, the last of a name.
func stored(fields []fieldKV) map[string]string {
	out := map[string]string{}
	for _, f := range fields {
		if f.value != "" {
			out[f.name] = f.value
		}
	}
	return out
}

type fieldKV struct{ name, value string }

func roundTrip(t testing.TB, id, source string) ([]fieldKV, []byte) {
	t.Helper()
	var fl flattener
	fields, err := fl.flatten(id, []byte(source))
	require.NoError(t, err)
	kvs := make([]fieldKV, len(fields))
	for i, f := range fields {
		kvs[i] = fieldKV{f.Name, f.Value}
	}
	doc, err := unflatten(stored(kvs))
	require.NoError(t, err)
	return kvs, doc
}

func TestFlattenRoundTrip(t *testing.T) {
	for name, src := range map[string]string{
		"ecs event": `{"@timestamp":"2024-01-30T23:59:59.999Z","message":"GET /index.html 200","event":{"id":"b1-7","dataset":"nginx.access","ingested":"2024-01-31T00:00:01.5Z"},
			"organization":{"id":"acme"},"http":{"response":{"status_code":200,"body":{"bytes":5120}}},"source":{"ip":"203.0.113.7"}}`,
		"kinds": `{"event":{"id":"x"},"n":1.50,"e":1e3,"neg":-0,"t":true,"f":false,"z":null,"empty":"","arr":["a",1,{"b":null}],
			"obj":{},"deep":{"a":{"b":{"c":"d"}}}}`,
		"keys that are no path": `{"event":{"id":"x"},"labels":{"k8s.app":"web","":"none"},"a.b":"top","line\nbreak":1}`,
		"text":                  `{"event":{"id":"x"},"message":"<b>&amp;</b> \u00e9t\u00e9 \u2028 \"quoted\" \\ tab\t","s":"200"}`,
		"without event.id":      `{"message":"m","event":{"dataset":"d"}}`,
		"event.id differs":      `{"event":{"id":"other"},"message":"m"}`,
		"event.id not string":   `{"event":{"id":7},"message":"m"}`,
		"event not an object":   `{"event":"flat","message":"m"}`,
		"message not a string":  `{"event":{"id":"x"},"message":{"text":"m","n":2}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, doc := roundTrip(t, "x", src)
			require.JSONEq(t, src, string(doc))
		})
	}
}

func TestFlattenColumns(t *testing.T) {
	kvs, _ := roundTrip(t, "b1-135", `{"@timestamp":"2024-01-30T23:59:59Z","message":"m","event":{"id":"b1-135","dataset":"d"},
		"organization":{"id":"acme"},"ecs":{"version":"8.11.0"},"host":{"name":"web-01"},"count":5}`)
	got := stored(kvs)
	require.Equal(t, map[string]string{
		"_msg": "m", "b.event.id": "b1-135", "b.@timestamp": "2024-01-30T23:59:59Z", "b.organization.id": "acme",
		"b.ecs.version": "8.11.0", "f.event.dataset": "d", "f.host.name": "web-01", "f.count": "5", "b.shape": "ncount",
	}, got, "the event's content under f., Trolly's bookkeeping under b.")
}

func TestCaseWords(t *testing.T) {
	kvs, _ := roundTrip(t, "b1-1", `{"@timestamp":"2024-01-30T23:59:59Z","message":"GET /Index.html HTTP/1.1 get İstanbul ǅemal",`+
		`"event":{"id":"b1-1","dataset":"Nginx.Access"},"organization":{"id":"ACME"},"user":{"name":"bob"},"tags":["Billing"]}`)
	got := stored(kvs)
	// The bookkeeping (organization.id) has no words for a search in any case; words that
	// are already lower-case (html, get, bob) need none.
	require.Equal(t, "access billing get http index istanbul nginx ǆemal", got[caseField])
	doc, err := unflatten(got)
	require.NoError(t, err)
	require.NotContains(t, string(doc), "istanbul", "the words are no part of the document")
	require.NotContains(t, string(doc), `"lc"`)
}

// FuzzFlatten round-trips any JSON object through the fields the engine keeps.
func FuzzFlatten(f *testing.F) {
	f.Add(`{"message":"m","event":{"id":"x"},"a":{"b":[1,2]},"c":null,"d":""}`)
	f.Add(`{"a.b":{"c":1},"":{}}`)
	f.Add(`{"event":{"id":"x"},"n":-1.5e-7,"t":true}`)
	f.Fuzz(func(t *testing.T, src string) {
		var obj map[string]any
		if json.Unmarshal([]byte(src), &obj) != nil || obj == nil {
			return
		}
		var fl flattener
		fields, err := fl.flatten("x", []byte(src))
		if err != nil {
			return // what encoding/json takes, the decoder may still refuse: duplicate shapes
		}
		kvs := make([]fieldKV, len(fields))
		for i, f := range fields {
			kvs[i] = fieldKV{f.Name, f.Value}
		}
		doc, err := unflatten(stored(kvs))
		require.NoError(t, err)
		var want, got any
		require.NoError(t, json.Unmarshal([]byte(src), &want))
		require.NoError(t, json.Unmarshal(doc, &got))
		require.Equal(t, want, got, "%s", src)
	})
}

// FuzzFlattenCanonical checks the one-pass reader against the reading of encoding/json:
// a document gives the fields its decoded and re-encoded form gives (keys sorted, the last
// of a repeated key kept), up to the order of b.shape's entries and the spelling of the
// values kept as JSON text.
func FuzzFlattenCanonical(f *testing.F) {
	f.Add(`{"message":"Mixed Case","event":{"id":"x"},"a":{"b":[1, 2]},"c":null,"d":"","e":{}}`)
	f.Add(`{"a.b":{"c":1},"":{},"x":{"y":{"z.w":1,"v":2}}}`)
	f.Add(`{"a":{"b":1,"b":2},"event":{"id":7}}`)
	f.Add(`{"k\u00e9":"\u00c9t\u00e9 \"q\"","n":-1.5e-7,"t":true , "o" : { "p" : [ {"q" : 1} ] }}`)
	f.Fuzz(func(t *testing.T, src string) {
		var obj map[string]any
		dec := json.NewDecoder(strings.NewReader(src))
		dec.UseNumber() // numbers keep their text
		if !utf8.ValidString(src) || dec.Decode(&obj) != nil || obj == nil || dec.InputOffset() < int64(len(strings.TrimRight(src, " \t\r\n"))) {
			return // encoding/json makes bytes that are no UTF-8 U+FFFD; the reader keeps them
		}
		canonical, err := json.Marshal(obj)
		require.NoError(t, err)
		var fl flattener
		fields, err := fl.flatten("x", []byte(src))
		if err != nil {
			return
		}
		got, escaped := normalized(t, fields)
		fields, err = fl.flatten("x", canonical)
		require.NoError(t, err)
		want, escapedToo := normalized(t, fields)
		if escaped || escapedToo {
			// Escapes are kept as written in JSON text (\u00C9 or é), and give b.lc words
			// of their own: known, as the engine's words are those of the text.
			delete(got, caseField)
			delete(want, caseField)
		}
		require.Equal(t, want, got, "%s", src)
	})
}

// normalized is what the engine keeps of fields, with b.shape as a set of entries and the
// values kept as JSON text decoded.
// escapes tells whether a value kept as JSON text holds an escape.
func normalized(t *testing.T, fields []logstorage.Field) (out map[string]any, escapes bool) {
	kvs := make([]fieldKV, len(fields))
	for i, f := range fields {
		kvs[i] = fieldKV{strings.Clone(f.Name), strings.Clone(f.Value)} // the next flatten reuses their memory
	}
	kept := stored(kvs)
	text := map[string]bool{restField: true, srcIDField: true}
	out = map[string]any{}
	if shape, ok := kept[shapeField]; ok {
		entries := map[string]bool{}
		for _, e := range strings.Split(shape, "\n") {
			entries[e] = true
			if e != "" && (e[0] == kindArray || e[0] == kindObject) {
				text[column(e[1:])] = true
			}
		}
		out[shapeField] = entries
	}
	for name, v := range kept {
		switch {
		case name == shapeField:
		case text[name]:
			escapes = escapes || strings.Contains(v, `\`)
			var decoded any
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&decoded), "%s: %s", name, v)
			out[name] = decoded
		default:
			out[name] = v
		}
	}
	return out, escapes
}

// FuzzCaseWords checks the ASCII loop of caseWords against the general one.
func FuzzCaseWords(f *testing.F) {
	f.Add("GET /Index.html HTTP/1.1 get_Foo X9 ÄB")
	f.Fuzz(func(t *testing.T, s string) {
		if _, ascii := letterCase(s); !ascii {
			return
		}
		var fast, general flattener
		fast.asciiCaseWords(s)
		for w := range words(s) {
			if l := strings.ToLower(w); l != w {
				general.lowerWords(l, w)
			}
		}
		slices.Sort(fast.lower)
		slices.Sort(general.lower)
		require.Equal(t, general.lower, fast.lower, "%q", s)
	})
}
