package gateway

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
)

// keep holds the records a logger emits, so that the test exports them itself and sees
// the exporter's error.
type keep struct{ recs []sdklog.Record }

func (k *keep) OnEmit(_ context.Context, r *sdklog.Record) error {
	k.recs = append(k.recs, r.Clone())
	return nil
}
func (k *keep) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (k *keep) Shutdown(context.Context) error                         { return nil }
func (k *keep) ForceFlush(context.Context) error                       { return nil }

func emitFor(service string, n int) []sdklog.Record {
	k := &keep{}
	res := resource.NewSchemaless(attribute.String("service.name", service), attribute.String("host.name", "web-3"))
	logger := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(k)).Logger("github.com/acme/app")
	for i := range n {
		var r log.Record
		r.SetTimestamp(time.Unix(1714557600, int64(i)))
		r.SetSeverity(log.SeverityWarn)
		r.SetBody(attribute.StringValue("order " + strconv.Itoa(i) + " delayed"))
		logger.Emit(context.Background(), r)
	}
	return k.recs
}

func TestOTLPExporter(t *testing.T) {
	f := newFixture(t, 0, nil)
	ts := httptest.NewServer(f.gw.Handler())
	defer ts.Close()
	exp, err := otlploghttp.New(context.Background(),
		otlploghttp.WithEndpointURL(ts.URL+"/v1/logs"),
		otlploghttp.WithCompression(otlploghttp.GzipCompression),
		otlploghttp.WithHeaders(map[string]string{"Authorization": "Bearer demo-in"}),
		otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}),
	)
	require.NoError(t, err)
	defer func() { require.NoError(t, exp.Shutdown(context.Background())) }()

	require.NoError(t, exp.Export(context.Background(), emitFor("app", 3)))
	got := f.received(t)
	require.Len(t, got, 1)
	require.Equal(t, "demo", got[0].GetTenantId())
	require.Equal(t, "app", got[0].GetStream())
	require.Equal(t, 3.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("demo", "otlp")))
	recs := got[0].GetRecords()
	require.Len(t, recs, 3)
	for i, r := range recs {
		require.Equal(t, "order "+strconv.Itoa(i)+" delayed", string(r.GetData()))
		require.Equal(t, "web-3", r.GetFields()["host.name"])
		require.Equal(t, "github.com/acme/app", r.GetFields()["log.logger"])
		require.Equal(t, "WARN", r.GetFields()["log.level"])
	}

	err = exp.Export(context.Background(), emitFor("billing", 1))
	require.ErrorContains(t, err, "404")
	require.ErrorContains(t, err, `stream "billing" not found`)
	require.Empty(t, f.received(t), "acme has no billing stream either: nothing is stored")
}
