package pgtest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithDatabase(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://u:p@db:5432/postgres?sslmode=disable": "postgres://u:p@db:5432/trolly_x?sslmode=disable",
		"host=db user=u dbname=postgres":                  "host=db user=u dbname=postgres dbname=trolly_x",
	} {
		got, err := WithDatabase(dsn, "trolly_x")
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := WithDatabase("postgres://%zz", "x")
	require.Error(t, err)
}
