package sourcetype

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
)

func TestJSONParser(t *testing.T) {
	tests := []struct {
		name, line string
		wantDoc    string
		wantMsg    string // "" means none recognised
		wantTime   time.Time
		wantErr    error
	}{
		{"message and RFC 3339 time", `{"@timestamp":"2024-05-01T10:00:00.5+02:00","message":"hi","a.b":1}`,
			`{"a":{"b":1}}`, "hi", time.Date(2024, 5, 1, 8, 0, 0, 500000000, time.UTC), nil},
		{"epoch milliseconds", `{"@timestamp":1714557600123}`, `{}`, "", time.UnixMilli(1714557600123), nil},
		{"fractional and negative epoch milliseconds", `{"@timestamp":-1.5}`, `{}`, "", time.Unix(0, -1500000), nil},
		{"null time is no time", `{"@timestamp":null,"x":true}`, `{"x":true}`, "", time.Time{}, nil},
		{"escaped message", `{"message":"a\"b\u00e9"}`, `{}`, `a"bé`, time.Time{}, nil},
		{"message that is not a string stays out", `{"message":42}`, `{}`, "", time.Time{}, nil},
		{"nested @timestamp object is an ordinary field", `{"@timestamp":{"x":1}}`, `{"@timestamp":{"x":1}}`, "", time.Time{}, nil},
		{"time without zone", `{"@timestamp":"2024-05-01T10:00:00","k":"v"}`, `{"k":"v"}`, "", time.Time{}, ErrTimestamp},
		{"time out of range", `{"@timestamp":"3000-01-01T00:00:00Z"}`, `{}`, "", time.Time{}, ErrTimestamp},
		{"epoch out of range", `{"@timestamp":1e300}`, `{}`, "", time.Time{}, ErrTimestamp},
		{"boolean time", `{"@timestamp":true}`, `{}`, "", time.Time{}, ErrTimestamp},
		{"not an object", `[1]`, `{}`, "", time.Time{}, ErrNoMatch},
		{"not JSON", `{"a":1`, `{"a":1}`, "", time.Time{}, ErrNoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d ecs.Document
			err := JSONParser{}.Parse([]byte(tt.line), &d, &Env{})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			msg, hasMsg := d.Message()
			require.Equal(t, tt.wantMsg != "", hasMsg)
			require.Equal(t, tt.wantMsg, string(msg))
			ts, hasTS := d.Timestamp()
			require.Equal(t, !tt.wantTime.IsZero(), hasTS)
			if hasTS {
				require.Equal(t, tt.wantTime.UnixNano(), ts)
			}
			require.Equal(t, tt.wantDoc, string(d.AppendJSON(nil)))
		})
	}
}

func TestRegistry(t *testing.T) {
	r := Builtin()
	require.Equal(t, []string{ApacheAccess, JSON, NginxAccess, Text}, r.Names())
	for _, name := range r.Names() {
		p, ok := r.Lookup(name)
		require.True(t, ok, name)
		require.NotNil(t, p, name)
	}
	_, ok := r.Lookup("syslog")
	require.False(t, ok)

	require.NoError(t, r.Register("syslog", TextParser{}))
	require.Contains(t, r.Names(), "syslog")
	require.Error(t, r.Register("syslog", TextParser{}), "registered twice")
	require.Error(t, r.Register("", TextParser{}))
	require.Error(t, r.Register("x", nil))
	require.NotContains(t, Builtin().Names(), "syslog", "registries are independent")
}

func TestTextParser(t *testing.T) {
	var d ecs.Document
	require.NoError(t, TextParser{}.Parse([]byte("\xff anything {"), &d, &Env{}))
	require.Equal(t, `{}`, string(d.AppendJSON(nil)))
}
