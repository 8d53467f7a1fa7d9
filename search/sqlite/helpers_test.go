package sqlite

import (
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search/query"
)

func mustParse(t testing.TB, q string) query.Node {
	t.Helper()
	n, err := query.Parse(q)
	require.NoError(t, err)
	return n
}

func errorsJoin(errs ...error) error { return errors.Join(errs...) }

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
