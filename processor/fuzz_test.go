package processor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/sourcetype"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// FuzzProcess sends any bytes, as a text and as a JSON record, through every source type:
// nothing panics, every record gives one well-formed document with the always-present
// fields.
func FuzzProcess(f *testing.F) {
	for _, s := range []string{
		``, "\r\n", `plain`, "\xff\xfe\x00",
		`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "curl"`,
		`{"@timestamp":"2024-01-01T00:00:00Z","message":"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5"}`,
		`{"message":{"a":1},"message.b":2,"tags":["x"],"error":"e","@timestamp":{"z":1}}`,
		`{"a":1,"a.b":2,"a._value":3,"organization.id":"x","event":"y"}`,
		`[1,2]`, `{"@timestamp":1e400}`,
	} {
		f.Add([]byte(s))
	}
	tr := NewTransformer(nil)
	types := sourcetype.Builtin().Names()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, st := range types {
			b := newBatch(st, text, data)
			b.Records = append(b.Records, &trollyv1.RawRecord{Data: data, Format: js,
				Fields: map[string]string{string(data): string(data)}})
			out, _, err := tr.Process(b)
			require.NoError(t, err)
			require.Len(t, out.GetEvents(), 2)
			for i, ev := range out.GetEvents() {
				requireAlwaysPresent(t, ev, st, i)
			}
		}
	})
}
