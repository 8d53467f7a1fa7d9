package configtest

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// sample stands for a component's Config.
type sample struct {
	Size int    `yaml:"size"`
	Name string `yaml:"name"`
}

func (s *sample) ApplyDefaults() {
	if s.Size == 0 {
		s.Size = 8
	}
}

func (s sample) Validate() error {
	var errs []error
	if s.Size < 0 {
		errs = append(errs, fmt.Errorf("size: must be > 0, got %d", s.Size))
	}
	if len(s.Name) > 8 {
		errs = append(errs, fmt.Errorf("name: must be at most 8 bytes, got %d", len(s.Name)))
	}
	return errors.Join(errs...)
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		file string
		want sample
	}{
		{"good.yaml", sample{Size: 3, Name: "web"}},
		{"empty.yaml", sample{Size: 8}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := Load[sample](t, filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestRunBad(t *testing.T) {
	RunBad[sample](t, "testdata")
}

func TestExpectedErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    string
		want    []string
		wantErr string
	}{
		{"one", "# error: size: must be > 0\nsize: -1\n", []string{"size: must be > 0"}, ""},
		{"two", "# error: a\n# error: b\nsize: -1\n", []string{"a", "b"}, ""},
		{"crlf", "# error: a\r\nsize: -1\r\n", []string{"a"}, ""},
		{"only header", "# error: a", []string{"a"}, ""},
		{"later lines ignored", "# error: a\nsize: 1\n# error: b\n", []string{"a"}, ""},
		{"no header", "size: -1\n", nil, "first line must be"},
		{"header not first", "\n# error: a\n", nil, "first line must be"},
		{"empty file", "", nil, "first line must be"},
		{"no text", "# error: \nsize: -1\n", nil, "line 1:"},
		{"blank text", "# error: a\n# error:   \n", nil, "line 2:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := expectedErrors([]byte(tc.data))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
