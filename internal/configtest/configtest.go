package configtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// errorPrefix starts each header line of a bad fixture; the rest of the line is text the
// load error must contain.
const errorPrefix = "# error: "

// Config is what a component's configuration offers through its pointer; Validate is
// usually declared on the value, which the pointer's method set includes.
type Config[T any] interface {
	*T
	ApplyDefaults()
	Validate() error
}

// Load decodes the YAML file at path strictly (unknown keys are errors) into a new T,
// applies its defaults and validates it. An empty document is an empty configuration.
func Load[T any, PT Config[T]](t testing.TB, path string) (T, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var c T
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("decode %s: %w", path, err)
	}
	PT(&c).ApplyDefaults()
	return c, PT(&c).Validate()
}

// RunBad runs one subtest per dir/*.bad.yaml: each file's first line is "# error: <text>",
// and loading the file with Load must fail with an error containing <text>. It fails when
// the folder holds no bad file.
func RunBad[T any, PT Config[T]](t *testing.T, dir string) {
	t.Helper()
	RunBadFunc(t, dir, func(t *testing.T, path string) error {
		_, err := Load[T, PT](t, path)
		return err
	})
}

// RunBadFunc is RunBad for configurations that load in more steps than Load takes (a
// whole process's configuration, with environment overrides): load reads the file at
// path and returns the error a process would see.
func RunBadFunc(t *testing.T, dir string, load func(t *testing.T, path string) error) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.bad.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "%s holds no *.bad.yaml file", dir)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			wants, err := expectedErrors(data)
			require.NoError(t, err, path)
			err = load(t, path)
			require.Error(t, err, "%s loaded without error", path)
			for _, want := range wants {
				require.ErrorContains(t, err, want)
			}
		})
	}
}

// expectedErrors reads the header of a bad fixture: its first line, and any that directly
// follow it, are "# error: <text>" (one line per text, since a joined error spans lines).
func expectedErrors(data []byte) ([]string, error) {
	var wants []string
	for line := range strings.Lines(string(data)) {
		text, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), errorPrefix)
		if !ok {
			break
		}
		if strings.TrimSpace(text) == "" {
			return nil, fmt.Errorf("line %d: %q names no error text", len(wants)+1, errorPrefix)
		}
		wants = append(wants, text)
	}
	if len(wants) == 0 {
		return nil, fmt.Errorf("first line must be %q followed by the expected error", errorPrefix)
	}
	return wants, nil
}
