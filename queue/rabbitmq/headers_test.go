package rabbitmq

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

func TestAttemptOf(t *testing.T) {
	tests := []struct {
		name        string
		headers     amqp.Table
		redelivered bool
		want        int
	}{
		{"first delivery", nil, false, 1},
		{"classic redelivery", nil, true, 2},
		{"republished by Nack", amqp.Table{hdrAttempt: int64(3)}, false, 3},
		{"republished, then redelivered", amqp.Table{hdrAttempt: int64(3)}, true, 4},
		{"quorum first delivery", amqp.Table{hdrDeliveryCount: int64(0)}, false, 1},
		{"quorum redelivery", amqp.Table{hdrDeliveryCount: int64(4)}, true, 5},
		{"narrow integer types", amqp.Table{hdrAttempt: int8(2), hdrDeliveryCount: int16(1)}, true, 3},
		{"attempt not a number", amqp.Table{hdrAttempt: "7"}, false, 1},
		{"negative attempt", amqp.Table{hdrAttempt: int32(-5)}, false, 1},
		{"huge counts", amqp.Table{hdrAttempt: int64(1 << 62), hdrDeliveryCount: int64(1 << 62)}, true, maxAttempt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, attemptOf(tc.headers, tc.redelivered))
		})
	}
}

func TestKeyOf(t *testing.T) {
	require.Equal(t, "acme/web", keyOf(amqp.Table{hdrKey: "acme/web"}, "acme%2Eweb"))
	require.Equal(t, "routing", keyOf(nil, "routing"), "published by another client")
}

func TestNames(t *testing.T) {
	n := names{"trolly"}
	tests := []struct {
		got, want string
	}{
		{n.exchange("raw"), "trolly.raw"},
		{n.groupQueue("events", "indexer"), "trolly.events.indexer"},
		{n.keyQueue("raw", "processor", "acme/web"), "trolly.raw.processor.acme/web"},
		{n.keyQueue("raw", "processor", "acme.web"), "trolly.raw.processor.acme%2Eweb"},
		{n.keyQueue("raw", "a.b", "c"), "trolly.raw.a%2Eb.c"},
		{n.keyQueue("raw", "a", "b.c"), "trolly.raw.a.b%2Ec"},
		{n.registry("raw"), "trolly.raw.%registry"},
		{n.groupQueue("raw", "%registry"), "trolly.raw.%25registry"},
		{n.dead(), "trolly.dead"},
		{routingKey("tab\there"), "tab%09here"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, tc.got)
	}
	long := n.keyQueue("raw", "processor", strings.Repeat("é", 200))
	require.LessOrEqual(t, len(long), maxNameBytes)
	require.True(t, utf8.ValidString(long))
	require.NotEqual(t, long, n.keyQueue("raw", "processor", strings.Repeat("é", 201)))
}

func TestDecodeRecord(t *testing.T) {
	tests := []struct {
		kind    string
		body    string
		want    record
		wantErr string
	}{
		{recordKey, "acme/web", record{recordKey, "acme/web"}, ""},
		{recordGroup, "processor", record{recordGroup, "processor"}, ""},
		{recordSync, "", record{kind: recordSync}, ""},
		{recordKey, "", record{}, "invalid key name of 0 bytes"},
		{"queue", "x", record{}, `unknown record type "queue"`},
	}
	for _, tc := range tests {
		t.Run(tc.kind+"/"+tc.body, func(t *testing.T) {
			got, err := decodeRecord(tc.kind, []byte(tc.body))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// FuzzHeaders feeds the decoders of what the broker hands back (headers any client may
// have set) and checks that names stay distinct and within the broker's limits.
func FuzzHeaders(f *testing.F) {
	f.Add("acme/web", "unparseable", int64(2), int64(0), uint8(0), true, "key", []byte("acme/web"))
	f.Add("", "", int64(-1), int64(1<<40), uint8(3), false, "group", []byte{})
	f.Add("a.b%c", "\xff", int64(1<<62), int64(-7), uint8(5), true, "sync", []byte("x"))
	f.Fuzz(func(t *testing.T, key, reason string, attempt, count int64, typ uint8, redelivered bool, kind string, body []byte) {
		h := amqp.Table{hdrKey: key, hdrAttempt: typed(attempt, typ), hdrDeliveryCount: typed(count, typ+1)}
		a := attemptOf(h, redelivered)
		require.GreaterOrEqual(t, a, 1)
		require.LessOrEqual(t, a, maxAttempt)
		require.Equal(t, key, keyOf(h, "rk"))

		at := time.Unix(0, attempt).UTC()
		l := queue.DeadLetter{Message: queue.Message{Key: key, Body: body}, Topic: kind, Group: reason,
			Attempt: max(1, int(min(max(attempt, 1), maxAttempt))), Reason: reason, At: at}
		require.Equal(t, l, deadLetterOf(deadHeaders(l), body))
		_ = deadLetterOf(h, body)

		if rec, err := decodeRecord(kind, body); err == nil && rec.kind != recordSync {
			require.Equal(t, string(body), rec.name)
		}

		esc := escape(key)
		require.True(t, utf8.ValidString(esc), "escape(%q) = %q", key, esc)
		require.NotEqual(t, esc, escape(key+"."), "distinct keys, one name")
		rk := routingKey(key)
		require.LessOrEqual(t, len(rk), maxNameBytes)
		require.True(t, utf8.ValidString(rk))
		require.NotContains(t, escape(key), ".")
	})
}

// typed stores n as one of the AMQP integer types, or as a string.
func typed(n int64, typ uint8) any {
	switch typ % 6 {
	case 0:
		return n
	case 1:
		return int32(n)
	case 2:
		return int16(n)
	case 3:
		return int8(n)
	case 4:
		return uint16(n)
	}
	return "not a number"
}
