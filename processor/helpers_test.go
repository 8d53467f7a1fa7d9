package processor

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/trolly-logs/trolly/processor/internal/ecstest"
	"github.com/trolly-logs/trolly/processor/sourcetype"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// Fixed batch identity of the tests.
const (
	testBatchID = "01HY7Z3Q5W8X9V2N4M6K1J0G3F"
	testTenant  = "acme"
	testStream  = "web"
)

var testReceived = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// newBatch returns a raw batch of records of one format.
func newBatch(sourceType string, format trollyv1.RecordFormat, lines ...[]byte) *trollyv1.RawBatch {
	b := &trollyv1.RawBatch{
		Id:         testBatchID,
		TenantId:   testTenant,
		TenantKey:  testTenant + ".7",
		Stream:     testStream,
		SourceType: sourceType,
		ReceivedAt: timestamppb.New(testReceived),
		Transport:  "http",
		RemoteAddr: "192.0.2.1:5555",
	}
	for _, l := range lines {
		b.Records = append(b.Records, &trollyv1.RawRecord{Data: l, Format: format})
	}
	return b
}

// decode checks that doc is well formed and returns it decoded, numbers as json.Number.
func decode(t testing.TB, doc []byte) map[string]any {
	t.Helper()
	require.NoError(t, ecstest.Check(doc), "document: %s", doc)
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	return m
}

// lookup returns the value at a dotted path of a decoded document.
func lookup(m map[string]any, path ...string) (any, bool) {
	var cur any = m
	for _, p := range path {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// requireAlwaysPresent checks the fields every event carries, for a test batch.
func requireAlwaysPresent(t testing.TB, ev *trollyv1.Event, sourceType string, index int) map[string]any {
	t.Helper()
	m := decode(t, ev.GetSource())
	id := testBatchID + "-" + strconv.Itoa(index)
	want := map[string]string{
		"event.id":              id,
		"event.ingested":        "2024-05-01T12:00:00Z",
		"event.dataset":         sourceType,
		"organization.id":       testTenant,
		"data_stream.type":      "logs",
		"data_stream.dataset":   sourceType,
		"data_stream.namespace": testStream,
		"ecs.version":           "8.17.0",
	}
	if sourceType == sourcetype.Auto { // the type auto picked, whichever it is
		got, _ := lookup(m, "event", "dataset")
		picked, _ := got.(string)
		_, known := sourcetype.Builtin().Lookup(picked)
		require.True(t, known && picked != sourcetype.Auto, "auto picked %q", got)
		want["event.dataset"], want["data_stream.dataset"] = picked, picked
	}
	for path, v := range want {
		got, ok := lookup(m, strings.Split(path, ".")...)
		require.True(t, ok, "%s missing in %s", path, ev.GetSource())
		require.Equal(t, v, got, path)
	}
	require.Equal(t, id, ev.GetId())
	require.IsType(t, "", m["message"], "message in %s", ev.GetSource())
	ts, ok := m["@timestamp"].(string)
	require.True(t, ok, "@timestamp missing in %s", ev.GetSource())
	parsed, err := time.Parse(time.RFC3339Nano, ts)
	require.NoError(t, err)
	require.Equal(t, parsed.UnixNano(), ev.GetTimestampUnixNano(), "timestamp_unix_nano")
	return m
}
