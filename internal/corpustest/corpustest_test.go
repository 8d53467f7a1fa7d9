package corpustest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDir(t *testing.T) {
	samples := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(samples, "README.md"), []byte("samples"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(samples, "a.log"), []byte("line\n"), 0o600))

	t.Setenv("CORPUS_DIR", samples)
	require.Equal(t, samples, Dir())
	require.Equal(t, "line\n", string(ReadFile(t, "a.log")))
	require.Equal(t, [][]byte{[]byte("line")}, Lines(t, "a.log"))

	t.Setenv("CORPUS_DIR", t.TempDir())
	require.Empty(t, Dir(), "a directory without the README holds no samples")
	require.Nil(t, ReadFileOrNil(t, "a.log"))

	root := t.TempDir()
	found := filepath.Join(root, "shared", "corpus")
	deep := filepath.Join(root, "repo", "a", "b")
	require.NoError(t, os.MkdirAll(found, 0o700))
	require.NoError(t, os.MkdirAll(deep, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(found, "README.md"), nil, 0o600))
	t.Setenv("CORPUS_DIR", "")
	t.Chdir(deep)
	require.Equal(t, found, Dir(), "found from any depth of the repository")
}
