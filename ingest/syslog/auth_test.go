package syslog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuth(t *testing.T) {
	const head = "<165>1 2003-10-11T22:14:15.003Z host app 12 ID47 "
	tests := []struct {
		name                string
		in                  string
		token, stream, hint string
		data                string // the message without its auth elements
	}{
		{"token and stream", head + `[auth@32473 token="abc" stream="web"] msg`, "abc", "web", "web",
			head + "- msg"},
		{"token only, app name hint", head + `[auth@32473 token="abc"] msg`, "abc", "", "app",
			head + "- msg"},
		{"id without enterprise number", head + `[auth token="abc"] msg`, "abc", "", "app", head + "- msg"},
		{"other enterprise number", head + `[auth@1 token="abc"] msg`, "abc", "", "app", head + "- msg"},
		{"among other elements", head + `[x@1 a="1"][auth@32473 token="t"][y b="]\"" c="2"] m`, "t", "", "app",
			head + `[x@1 a="1"][y b="]\"" c="2"] m`},
		{"first and last", head + `[auth@32473 token="t" stream="s"][x@1 a="[auth]"]`, "t", "s", "s",
			head + `[x@1 a="[auth]"]`},
		{"no message after it", head + `[auth@32473 token="abc"]`, "abc", "", "app", head + "-"},
		{"two auth elements, both go", head + `[auth@32473 token="one"][auth token="two" stream="s"] m`, "one", "s", "s",
			head + "- m"},
		{"escapes kept as written", head + `[auth@32473 token="a\"b\]c"] m`, `a\"b\]c`, "", "app", head + "- m"},
		{"stream without token", head + `[auth@32473 stream="web"] m`, "", "web", "web", head + "- m"},
		{"empty token is none", head + `[auth@32473 token="" stream=""] m`, "", "", "app", head + "- m"},
		{"not an auth id", head + `[authx token="abc"] m`, "", "", "app", head + `[authx token="abc"] m`},
		{"broken structured data is message", head + `[auth@32473 token="abc" m`, "", "", "app",
			head + `[auth@32473 token="abc" m`},
		{"auth element in the message is text", head + `- [auth@32473 token="abc"] m`, "", "", "app",
			head + `- [auth@32473 token="abc"] m`},
		{"no structured data", "<13>1 - h sshd - - - m", "", "", "sshd", "<13>1 - h sshd - - - m"},
		{"rfc 3164 tag", "<13>Jan  2 15:04:05 host sshd[12]: m", "", "", "sshd", "<13>Jan  2 15:04:05 host sshd[12]: m"},
		{"rfc 3164 without hostname", " <13>Jan  2 15:04:05 cron: m", "", "", "cron", " <13>Jan  2 15:04:05 cron: m"},
		{"nil app name", `<13>1 - h - - - [auth token="t"] m`, "t", "", "", "<13>1 - h - - - - m"},
		{"not syslog", "hello", "", "", "", "hello"},
		{"line end kept", head + "[auth token=\"t\"] m\r\n", "t", "", "app", head + "- m\r\n"},
	}
	var ar AuthReader
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := []byte(tt.in)
			a := ar.Read(msg)
			require.Equal(t, tt.token, string(a.Token))
			require.Equal(t, tt.token == "", a.Token == nil)
			require.Equal(t, tt.stream, string(a.Stream))
			require.Equal(t, tt.hint, string(a.Hint()))
			prefix := []byte("batch:")
			out := a.AppendData(prefix, msg)
			require.Equal(t, "batch:"+tt.data, string(out))
			require.Equal(t, tt.in, string(msg), "the message is left as it was")
		})
	}
}

func TestAuthDoesNotAllocate(t *testing.T) {
	msg := []byte(`<165>1 2003-10-11T22:14:15.003Z host app 12 ID47 [x@1 a="1"][auth@32473 token="abc" stream="web"] msg`)
	dst := make([]byte, 0, 256)
	var ar AuthReader
	a := ar.Read(msg)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		a = ar.Read(msg)
		dst = a.AppendData(dst[:0], msg)
	}))
	require.Equal(t, "abc", string(a.Token))
}

func TestRecord(t *testing.T) {
	tests := []struct {
		name      string
		truncated bool
		remote    string
		fields    map[string]string
	}{
		{"nothing to add", false, "", nil},
		{"truncated", true, "", map[string]string{"tags": "_truncated"}},
		{"udp sender", false, "192.0.2.1:514", map[string]string{"log.source.address": "192.0.2.1:514"}},
		{"both", true, "[2001:db8::1]:514", map[string]string{"tags": "_truncated", "log.source.address": "[2001:db8::1]:514"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte("<13>1 - h a - - - m")
			rec := Record(data, tt.truncated, tt.remote)
			require.Same(t, &data[0], &rec.Data[0])
			require.False(t, rec.JSON)
			require.Equal(t, tt.fields, rec.Fields)
		})
	}
}
