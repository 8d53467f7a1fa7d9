package ecs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

func TestMergeJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"flat", `{"a":"x","b":1}`, `{"a":"x","b":1}`},
		{"dotted keys and nested objects are the same paths",
			`{"http.response.status_code":200,"http":{"request":{"method":"GET"}}}`,
			`{"http":{"request":{"method":"GET"},"response":{"status_code":200}}}`},
		{"below an existing field", `{"a":{"b.c":{"d":1}}}`, `{"a":{"b":{"c":{"d":1}}}}`},
		{"white space", " {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"b\":{ } } \n", `{"a":[1,2],"b":{}}`},
		{"numbers kept as written", `{"n":[-0,1.50,2e10,-3E-2,12345678901234567890123]}`,
			`{"n":[-0,1.50,2e10,-3E-2,12345678901234567890123]}`},
		{"literals", `{"t":true,"f":false,"n":null}`, `{"f":false,"n":null,"t":true}`},
		{"objects in arrays expand too", `{"a":[{"x.y":1,"x":{"z":2}},[{"k.l":"v"}],{}]}`,
			`{"a":[{"x":{"y":1,"z":2}},[{"k":{"l":"v"}}],{}]}`},
		{"escapes decoded and written again",
			`{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","k\u002ey":1}`,
			`{"k":{"y":1},"s":"\"\\/\u0008\u000c\n\r\té😀"}`},
		{"lone surrogates become U+FFFD", `{"s":"\ud800x\udc00","a":["\udbff"]}`,
			"{\"a\":[\"\uFFFD\"],\"s\":\"\uFFFDx\uFFFD\"}"},
		{"invalid UTF-8 replaced in keys and values", "{\"k\xff\":\"v\xfe\",\"a\":[\"\xc3\"]}",
			"{\"a\":[\"\\ufffd\"],\"k\uFFFD\":\"v\\ufffd\"}"},
		{"empty segments", `{"":1,".x":2,"y.":3,"a..b":4}`, `{"_":{"_value":1,"x":2},"a":{"_":{"b":4}},"y":{"_":3}}`},
		{"duplicate keys: last wins", `{"a":1,"a":2,"b":{"c":1},"b.c":3}`, `{"a":2,"b":{"c":3}}`},
		{"value and object", `{"a":"v","a.b":"w"}`, `{"a":{"_value":"v","b":"w"}}`},
		{"empty object beside fields", `{"a":{},"a.b":1}`, `{"a":{"b":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			require.NoError(t, d.MergeJSON([]byte(tt.in)))
			got := d.AppendJSON(nil)
			require.Equal(t, tt.want, string(got))
			require.NoError(t, ecstest.Check(got))
		})
	}
}

func TestMergeJSONErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", ``, ErrSyntax},
		{"only space", " \n", ErrSyntax},
		{"array", `[1,2]`, ErrNotObject},
		{"string", `"x"`, ErrNotObject},
		{"number", `12`, ErrNotObject},
		{"bad array is a syntax error", `[1,`, ErrSyntax},
		{"truncated", `{"a":`, ErrSyntax},
		{"unclosed string", `{"a":"x`, ErrSyntax},
		{"missing colon", `{"a" 1}`, ErrSyntax},
		{"trailing comma", `{"a":1,}`, ErrSyntax},
		{"trailing data", `{"a":1} {"b":2}`, ErrSyntax},
		{"single quotes", `{'a':1}`, ErrSyntax},
		{"control character in a string", "{\"a\":\"x\ny\"}", ErrSyntax},
		{"bad escape", `{"a":"\x"}`, ErrSyntax},
		{"short unicode escape", `{"a":"\u12"}`, ErrSyntax},
		{"leading zero", `{"a":01}`, ErrSyntax},
		{"bare dot", `{"a":1.}`, ErrSyntax},
		{"bare exponent", `{"a":1e}`, ErrSyntax},
		{"plus sign", `{"a":+1}`, ErrSyntax},
		{"NaN", `{"a":NaN}`, ErrSyntax},
		{"bad literal", `{"a":tru}`, ErrSyntax},
		{"too deep", strings.Repeat(`{"a":`, MaxDepth+1) + `1` + strings.Repeat(`}`, MaxDepth+1), ErrTooDeep},
		{"too deep in arrays", `{"a":` + strings.Repeat(`[`, MaxDepth) + strings.Repeat(`]`, MaxDepth) + `}`, ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			err := d.MergeJSON([]byte(tt.in))
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestMergeJSONDepthLimitIsExact(t *testing.T) {
	in := strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat(`}`, MaxDepth)
	var d Document
	require.NoError(t, d.MergeJSON([]byte(in)))
	require.Equal(t, in, string(d.AppendJSON(nil)))
}

// FuzzMergeJSON checks that MergeJSON agrees with encoding/json on what is a JSON object,
// that whatever it accepts encodes to a well-formed document, and that no value is lost or
// invented: the output holds the input's scalars, all of them unless two had one path.
func FuzzMergeJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, `{"a.b":[1,{"c.d":"e"}],"a":{"f":null}}`, `{"a":1,"a.b":2}`,
		`{"s":"\ud83d\ude00\u0000\"","":{"":[]}}`, `[1]`, `{"a":`, "{\"\xff\":\"\xfe\"}",
		`{"n":-1.5e+10}`, `{"a":[[[]]],"b":true}`, `{"x":{},"x.y":1}`, `{"a":1,"a._value":2,"a.b":3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var d Document
		err := d.MergeJSON(in)
		isObject := json.Valid(in) && strings.HasPrefix(strings.TrimLeft(string(in), " \t\r\n"), "{")
		if err != nil {
			if isObject {
				require.ErrorIs(t, err, ErrTooDeep, "valid object rejected")
			}
			return
		}
		require.True(t, isObject, "accepted %q", in)
		out := d.AppendJSON(nil)
		require.NoError(t, ecstest.Check(out), "output %s", out)
		require.Equal(t, string(out), string(d.AppendJSON(nil)))

		inVals, unique := scalars(t, in)
		outVals, _ := scalars(t, out)
		if unique {
			require.ElementsMatch(t, inVals, outVals, "output %s", out)
		} else {
			require.Subset(t, inVals, outVals, "output %s", out)
		}
	})
}

// scalars returns the scalar values of a JSON object as encoding/json reads them, and
// whether no two of them share a path (after the key normalisation of the Document).
func scalars(t *testing.T, doc []byte) (vals []string, unique bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	paths := map[string]bool{}
	unique = true
	leaf := func(path string) {
		unique = unique && !paths[path]
		paths[path] = true
	}
	var walk func(path string)
	walk = func(path string) {
		tok, err := dec.Token()
		require.NoError(t, err)
		switch tok {
		case json.Delim('{'):
			if !dec.More() && path != "" {
				leaf(path) // an empty object is a value of the Document
			}
			for dec.More() {
				key, err := dec.Token()
				require.NoError(t, err)
				walk(string(appendPath(nil, []byte(path), key.(string))))
			}
			_, err = dec.Token()
		case json.Delim('['):
			leaf(path) // the Document keeps arrays whole
			for i := 0; dec.More(); i++ {
				walk(path + "[" + strconv.Itoa(i) + "]")
			}
			_, err = dec.Token()
		default:
			vals = append(vals, fmt.Sprintf("%T:%v", tok, tok))
			leaf(path)
		}
		require.NoError(t, err)
	}
	walk("")
	return vals, unique
}
