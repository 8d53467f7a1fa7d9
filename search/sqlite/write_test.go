package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
)

var day = time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)

func doc(id string, ts time.Time, message string) search.Doc {
	return search.Doc{ID: id, Timestamp: ts, Source: fmt.Appendf(nil, `{"message":%q,"event":{"id":%q}}`, message, id)}
}

func total(t *testing.T, b *Backend, tenant, q string) int64 {
	t.Helper()
	req := search.Request{Tenant: tenant}
	if q != "" {
		req.Query = mustParse(t, q)
	}
	res, err := b.Search(testContext(t), req)
	require.NoError(t, err)
	return res.Total
}

func TestWriteRejects(t *testing.T) {
	good := doc("ok", day.Add(time.Hour), "fine")
	cases := []struct {
		name    string
		index   string
		docs    []search.Doc
		invalid bool
	}{
		{"not an index name", "acme-2024.01.31", []search.Doc{good}, false},
		{"invalid tenant", "trolly-Acme-2024.01.31", []search.Doc{good}, false},
		{"path in the name", "trolly-../x-2024.01.31", []search.Doc{good}, false},
		{"doc without id", "trolly-acme-2024.01.31", []search.Doc{good, {Timestamp: day, Source: []byte(`{}`)}}, true},
		{"doc not JSON", "trolly-acme-2024.01.31", []search.Doc{good, {ID: "x", Timestamp: day, Source: []byte(`{"a":`)}}, true},
		{"doc after the day", "trolly-acme-2024.01.31", []search.Doc{good, doc("late", day.AddDate(0, 0, 1), "x")}, true},
		{"doc before the day", "trolly-acme-2024.01.31", []search.Doc{good, doc("early", day.Add(-time.Nanosecond), "x")}, true},
		{"doc outside the month", "trolly-acme-2024.01", []search.Doc{good, doc("feb", day.AddDate(0, 0, 1), "x")}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := open(t, t.TempDir())
			t.Cleanup(func() { require.NoError(t, b.Close()) })
			err := b.Write(testContext(t), tc.index, tc.docs)
			require.Error(t, err)
			if tc.invalid {
				require.ErrorIs(t, err, search.ErrInvalidDoc)
			}
			require.Equal(t, int64(0), total(t, b, "acme", ""), "nothing is written")
			entries, err := os.ReadDir(b.cfg.Dir)
			require.NoError(t, err)
			require.Empty(t, entries)
		})
	}
}

func TestSearchRejectsTenant(t *testing.T) {
	b := open(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	for _, tenant := range []string{"", "Acme", "../acme", "acme-"} {
		_, err := b.Search(testContext(t), search.Request{Tenant: tenant})
		require.Error(t, err, tenant)
	}
}

func TestFiles(t *testing.T) {
	b := open(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	require.NoError(t, b.Write(testContext(t), "trolly-acme-2024.01.31", []search.Doc{doc("a", day, "x")}))
	require.NoError(t, b.Write(testContext(t), "trolly-acme-corp-2024.01", []search.Doc{doc("b", day, "x")}))
	var dbs []string
	entries, err := os.ReadDir(b.cfg.Dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.NotContains(t, e.Name(), ".new-", "no temporary file is left")
		if strings.HasSuffix(e.Name(), ".db") {
			dbs = append(dbs, e.Name())
		}
	}
	require.Equal(t, []string{"trolly-acme-2024.01.31.db", "trolly-acme-corp-2024.01.db"}, dbs)
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	b, err := Open(Config{Dir: t.TempDir(), MaxOpenIndices: 2}, nil, reg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ctx := testContext(t)
	require.NoError(t, b.Write(ctx, "trolly-acme-2024.01.31", []search.Doc{doc("a", day, "x"), doc("b", day, "y")}))
	require.NoError(t, b.Write(ctx, "trolly-acme-2024.01.31", []search.Doc{doc("b", day, "y"), doc("c", day, "z")}))
	require.NoError(t, b.Write(ctx, "trolly-acme-corp-2024.01", []search.Doc{doc("a", day, "x")}))
	require.NoError(t, b.Write(ctx, "trolly-acme-2024.02.01", []search.Doc{doc("d", day.AddDate(0, 0, 1), "x")}))
	_, err = b.Search(ctx, search.Request{Tenant: "acme"})
	require.NoError(t, err)

	require.Equal(t, 4.0, testutil.ToFloat64(b.m.written.WithLabelValues("acme")))
	require.Equal(t, 1.0, testutil.ToFloat64(b.m.written.WithLabelValues("acme-corp")))
	require.Equal(t, 1.0, testutil.ToFloat64(b.m.duplicates.WithLabelValues("acme")))
	require.Equal(t, 2.0, testutil.ToFloat64(b.m.openIndices), "bounded by max_open_indices")
	families, err := reg.Gather()
	require.NoError(t, err)
	counts := map[string]uint64{}
	for _, f := range families {
		if h := f.GetMetric()[0].GetHistogram(); h != nil {
			counts[f.GetName()] = h.GetSampleCount()
		}
	}
	require.Equal(t, map[string]uint64{
		"trolly_search_write_duration_seconds":  4,
		"trolly_search_search_duration_seconds": 1,
	}, counts)
}

// Two backends over one directory stand for the indexer and the API in two processes.
func TestSharedFiles(t *testing.T) {
	dir := t.TempDir()
	writer, reader := open(t, dir), open(t, dir)
	t.Cleanup(func() { require.NoError(t, errorsJoin(writer.Close(), reader.Close())) })
	ctx := testContext(t)
	require.Equal(t, int64(0), total(t, reader, "acme", ""))
	require.NoError(t, writer.Write(ctx, "trolly-acme-2024.01.31", []search.Doc{doc("a", day, "x")}))
	require.Equal(t, int64(1), total(t, reader, "acme", ""))
	require.NoError(t, writer.Write(ctx, "trolly-acme-2024.01.31", []search.Doc{doc("b", day, "y")}))
	require.Equal(t, int64(2), total(t, reader, "acme", ""), "the open reader sees later writes")
	require.NoError(t, reader.Write(ctx, "trolly-acme-2024.01.31", []search.Doc{doc("b", day, "y"), doc("c", day, "z")}))
	require.Equal(t, int64(3), total(t, writer, "acme", ""), "both may write")
}

// The bookkeeper deletes index files behind the backend's back.
func TestDeletedIndex(t *testing.T) {
	b := open(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ctx := testContext(t)
	name := "trolly-acme-2024.01.31"
	require.NoError(t, b.Write(ctx, name, []search.Doc{doc("a", day, "x")}))
	require.Equal(t, int64(1), total(t, b, "acme", ""))
	for _, suffix := range []string{".db", ".db-wal", ".db-shm"} {
		require.NoError(t, removeIfExists(filepath.Join(b.cfg.Dir, name+suffix)))
	}
	require.Equal(t, int64(0), total(t, b, "acme", ""))
	require.NoError(t, b.Write(ctx, name, []search.Doc{doc("b", day, "y")}))
	require.Equal(t, int64(1), total(t, b, "acme", ""), "the write went to a new file")
	reopened := open(t, b.cfg.Dir)
	t.Cleanup(func() { require.NoError(t, reopened.Close()) })
	require.Equal(t, int64(1), total(t, reopened, "acme", "y"))
}

func TestClosed(t *testing.T) {
	b := open(t, t.TempDir())
	require.NoError(t, b.Write(testContext(t), "trolly-acme-2024.01.31", []search.Doc{doc("a", day, "x")}))
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")
	require.ErrorIs(t, b.Write(testContext(t), "trolly-acme-2024.01.31", []search.Doc{doc("b", day, "x")}), ErrClosed)
	_, err := b.Search(testContext(t), search.Request{Tenant: "acme"})
	require.ErrorIs(t, err, ErrClosed)
}
