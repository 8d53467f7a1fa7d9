package search

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzValidJSON checks that validJSON accepts what json.Valid accepts, and nothing else.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, ` {"a":[1,2.5e-3,true,false,null,"x\u00e9\n"]} `, `{"a":01}`, `{"a":1.}`, `{"a":-}`,
		"{\"a\":\"\x01\"}", "{\"\x1f\":1}", `{"a":"\x"}`, `{"a":"\u12g4"}`, `[1,]`, `{"a":1,}`, `"s"`, ``, ` `,
		"{\"a\":1}\x00", "\v{}", `{"a":1e+}`, `{"a":-0.0E-0}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", "{\"\":[\"\x14\\b\"]}",
		strings.Repeat("[", 10_001) + strings.Repeat("]", 10_001),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid %v", b, got, want)
		}
	})
}
