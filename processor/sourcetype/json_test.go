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

		// Keys of loggers other than ECS ones, moved when used.
		{"logrus", `{"time":"2024-05-01T10:00:00+02:00","level":"WARNING","msg":"disk low","disk":"/"}`,
			`{"disk":"/","log":{"level":"warning"}}`, "disk low", time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), nil},
		{"zap epoch seconds", `{"ts":1714557600.25,"level":"info","msg":"x"}`,
			`{"log":{"level":"info"}}`, "x", time.Unix(1714557600, 250000000), nil},
		{"pino epoch milliseconds and numeric level", `{"time":1714557600123,"level":30,"msg":"x"}`,
			`{"log":{"level":"info"}}`, "x", time.UnixMilli(1714557600123), nil},
		{"timestamp beats time, which stays", `{"time":"2020-01-01T00:00:00Z","timestamp":"2024-05-01T10:00:00Z"}`,
			`{"time":"2020-01-01T00:00:00Z"}`, "", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), nil},
		{"@timestamp beats the others", `{"@timestamp":"2024-05-01T10:00:00Z","time":"soon"}`,
			`{"time":"soon"}`, "", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), nil},
		{"time without zone is in the stream's zone", `{"time":"2024-05-01 10:00:00"}`,
			`{}`, "", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), nil},
		{"unusable time stays", `{"time":"soon"}`, `{"time":"soon"}`, "", time.Time{}, ErrTimestamp},
		{"unusable number time stays", `{"ts":12}`, `{"ts":12}`, "", time.Time{}, ErrTimestamp},
		{"null time stays and is no time", `{"ts":null}`, `{"ts":null}`, "", time.Time{}, nil},
		{"message beats msg", `{"message":"m","msg":"x"}`, `{"msg":"x"}`, "m", time.Time{}, nil},
		{"msg beats log", `{"msg":"m","log":"x"}`, `{"log":"x"}`, "m", time.Time{}, nil},
		{"log loses its end of line", `{"log":"line\r\n","stream":"stdout"}`, `{"stream":"stdout"}`, "line", time.Time{}, nil},
		{"msg that is not a string stays", `{"msg":{"a":1},"log":"l"}`, `{"msg":{"a":1}}`, "l", time.Time{}, nil},
		{"ECS log.level beats level", `{"log.level":"info","level":"x"}`, `{"level":"x","log":{"level":"info"}}`, "", time.Time{}, nil},
		{"nested ECS log.level", `{"log":{"level":"info"},"severity":"x"}`, `{"log":{"level":"info"},"severity":"x"}`, "", time.Time{}, nil},
		{"severity", `{"severity":"ERROR"}`, `{"log":{"level":"error"}}`, "", time.Time{}, nil},
		{"level that is not usable stays", `{"level":3}`, `{"level":3}`, "", time.Time{}, nil},
		{"empty level stays", `{"loglevel":""}`, `{"loglevel":""}`, "", time.Time{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d ecs.Document
			err := JSONParser{}.Parse([]byte(tt.line), &d, testEnv())
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
	// Other source types join the list as they are written, so it is checked by subset.
	require.Subset(t, r.Names(), []string{ApacheAccess, Auto, CEF, CRI, Docker, JSON, Logfmt, NginxAccess, Text})
	require.IsIncreasing(t, r.Names())
	for _, name := range r.Names() {
		p, ok := r.Lookup(name)
		require.True(t, ok, name)
		require.NotNil(t, p, name)
	}
	const custom = "custom_test_type"
	_, ok := r.Lookup(custom)
	require.False(t, ok)

	require.NoError(t, r.Register(custom, TextParser{}))
	require.Contains(t, r.Names(), custom)
	require.Error(t, r.Register(custom, TextParser{}), "registered twice")
	require.Error(t, r.Register("", TextParser{}))
	require.Error(t, r.Register("x", nil))
	require.NotContains(t, Builtin().Names(), custom, "registries are independent")
}

func TestTextParser(t *testing.T) {
	var d ecs.Document
	require.NoError(t, TextParser{}.Parse([]byte("\xff anything {"), &d, &Env{}))
	require.Equal(t, `{}`, string(d.AppendJSON(nil)))
}

func BenchmarkParseJSON(b *testing.B) {
	benchParser(b, JSONParser{}, [][]byte{
		[]byte(`{"@timestamp":"2024-05-01T10:00:00.123Z","log.level":"info","message":"request served","http":{"request":{"method":"GET"},"response":{"status_code":200}},"url.path":"/api/v1/users"}`),
		[]byte(`{"level":"warn","ts":1714557600.123,"caller":"db/query.go:88","msg":"slow query","db.name":"main","rows":1200,"took":"1.2s"}`),
		[]byte(`{"time":"2024-05-01T10:00:01Z","level":30,"pid":7,"hostname":"api-0","msg":"listening","port":8080}`),
	})
}
