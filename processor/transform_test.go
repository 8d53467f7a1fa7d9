package processor

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/sourcetype"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

const (
	text = trollyv1.RecordFormat_RECORD_FORMAT_TEXT
	js   = trollyv1.RecordFormat_RECORD_FORMAT_JSON
)

func TestProcessDeterministic(t *testing.T) {
	lines := [][]byte{
		[]byte(`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "curl"`),
		[]byte("garbage \xff"),
		[]byte(`1.2.3.4 - - [99/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "curl"`),
	}
	first, err := Process(newBatch("nginx_access", text, lines...))
	require.NoError(t, err)

	// The same batch again, through a Transformer that has processed other batches.
	tr := NewTransformer(nil)
	_, _, err = tr.Process(newBatch("json", js, []byte(`{"a":{"b":1},"a.c":[1,2],"message":"m"}`)))
	require.NoError(t, err)
	for range 2 {
		again, _, err := tr.Process(newBatch("nginx_access", text, lines...))
		require.NoError(t, err)
		require.True(t, proto.Equal(first, again), "a redelivered batch differs")
		b1, err := proto.MarshalOptions{Deterministic: true}.Marshal(first)
		require.NoError(t, err)
		b2, err := proto.MarshalOptions{Deterministic: true}.Marshal(again)
		require.NoError(t, err)
		require.Equal(t, b1, b2)
	}
}

func TestProcessBatchFields(t *testing.T) {
	b := newBatch("text", text, []byte("one"), []byte("two\r\n"))
	out, st, err := NewTransformer(nil).Process(b)
	require.NoError(t, err)
	require.Equal(t, Stats{Events: 2}, st)
	require.Equal(t, testBatchID, out.GetBatchId())
	require.Equal(t, testTenant, out.GetTenantId())
	require.Equal(t, testStream, out.GetStream())
	require.Len(t, out.GetEvents(), 2)
	for i, want := range []string{"one", "two"} {
		m := requireAlwaysPresent(t, out.GetEvents()[i], "text", i)
		require.Equal(t, want, m["message"])
		require.Equal(t, testReceived.UnixNano(), out.GetEvents()[i].GetTimestampUnixNano())
	}
}

func TestProcessStats(t *testing.T) {
	b := newBatch("apache_access", text,
		[]byte(`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5`),
		[]byte(`not a line`),
		[]byte(`1.2.3.4 - - [10/Xyz/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5`),
	)
	b.Records = append(b.Records,
		&trollyv1.RawRecord{Format: js, Data: []byte(`{"@timestamp":"bad","message":"nope"}`)})
	_, st, err := NewTransformer(nil).Process(b)
	require.NoError(t, err)
	// The last record fails twice: its time, and its message is no access line.
	require.Equal(t, Stats{Events: 4, ParseFailures: 2, TimestampFailures: 2}, st)
}

func TestProcessWireFields(t *testing.T) {
	b := newBatch("json", js, []byte(`{"host":{"name":"from-json"},"message":"m"}`))
	b.Records[0].Fields = map[string]string{
		"host.name":          "from-wire",
		"log.syslog.appname": "sshd",
		"organization.id":    "forged",
		"a..b":               "normalised",
		"bad\xffkey":         "x",
	}
	out, err := Process(b)
	require.NoError(t, err)
	m := requireAlwaysPresent(t, out.GetEvents()[0], "json", 0)
	host, _ := lookup(m, "host", "name")
	require.Equal(t, "from-json", host, "the record's own JSON wins over wire fields")
	app, _ := lookup(m, "log", "syslog", "appname")
	require.Equal(t, "sshd", app)
	org, _ := lookup(m, "organization", "id")
	require.Equal(t, testTenant, org, "the tenant comes from the batch only")
	ab, _ := lookup(m, "a", "_", "b")
	require.Equal(t, "normalised", ab)
	bad, _ := lookup(m, "bad\uFFFDkey")
	require.Equal(t, "x", bad)
}

func TestProcessReservedFieldsCannotBeForged(t *testing.T) {
	forged := `{"@timestamp":"2001-01-01T00:00:00Z","event":{"id":"x","ingested":"x","dataset":"x"},` +
		`"organization.id":"evil","data_stream":{"type":"x","dataset":"x","namespace":"x"},"ecs.version":"0"}`
	out, err := Process(newBatch("json", js, []byte(forged)))
	require.NoError(t, err)
	m := requireAlwaysPresent(t, out.GetEvents()[0], "json", 0)
	require.Equal(t, "2001-01-01T00:00:00Z", m["@timestamp"], "@timestamp is the event's own")
}

func TestProcessRejectsBatch(t *testing.T) {
	tests := []struct {
		name   string
		modify func(b *trollyv1.RawBatch)
		want   error
	}{
		{"unknown source type", func(b *trollyv1.RawBatch) { b.SourceType = "windows_evtx" }, ErrUnknownSourceType},
		{"empty source type", func(b *trollyv1.RawBatch) { b.SourceType = "" }, ErrUnknownSourceType},
		{"no id", func(b *trollyv1.RawBatch) { b.Id = "" }, ErrInvalidBatch},
		{"no tenant", func(b *trollyv1.RawBatch) { b.TenantId = "" }, ErrInvalidBatch},
		{"no stream", func(b *trollyv1.RawBatch) { b.Stream = "" }, ErrInvalidBatch},
		{"stream not UTF-8", func(b *trollyv1.RawBatch) { b.Stream = "w\xffb" }, ErrInvalidBatch},
		{"no received_at", func(b *trollyv1.RawBatch) { b.ReceivedAt = nil }, ErrInvalidBatch},
		{"received_at out of range", func(b *trollyv1.RawBatch) {
			b.ReceivedAt = timestamppb.New(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))
		}, ErrInvalidBatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBatch("text", text, []byte("x"))
			tt.modify(b)
			out, err := Process(b)
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, out)
		})
	}
}

func TestProcessEmptyBatch(t *testing.T) {
	out, err := Process(newBatch("text", text))
	require.NoError(t, err)
	require.Empty(t, out.GetEvents())
	require.Equal(t, testBatchID, out.GetBatchId())
}

func TestSourceTypes(t *testing.T) {
	names := sourcetype.Builtin().Names()
	require.Equal(t, []string{"apache_access", "apache_error", "auto", "cef", "cri", "docker", "json", "logfmt",
		"nginx_access", "nginx_error", "sshd", "syslog", "text"}, names)
	for _, name := range names {
		require.NoError(t, ValidateStream(name, nil), name)
	}
	for _, name := range []string{"", "windows_evtx", "JSON", "nginx"} {
		require.ErrorIs(t, ValidateStream(name, nil), ErrInvalidSettings, name)
	}
}

// upper is a source type registered by a test: the way later source types slot in.
type upper struct{}

func (upper) Parse(line []byte, d *ecs.Document, _ *sourcetype.Env) error {
	d.SetBytes("labels.upper", bytes.ToUpper(line))
	return nil
}

func TestTransformerWithOwnSourceTypes(t *testing.T) {
	r := sourcetype.NewRegistry()
	require.NoError(t, r.Register("upper", upper{}))
	out, _, err := NewTransformer(r).Process(newBatch("upper", text, []byte("shout")))
	require.NoError(t, err)
	m := requireAlwaysPresent(t, out.GetEvents()[0], "upper", 0)
	v, _ := lookup(m, "labels", "upper")
	require.Equal(t, "SHOUT", v)

	_, _, err = NewTransformer(r).Process(newBatch("text", text, []byte("x")))
	require.ErrorIs(t, err, ErrUnknownSourceType, "only the registry's types are known")
}
