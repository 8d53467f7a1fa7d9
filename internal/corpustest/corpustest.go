// Package corpustest finds the public log samples that tests and benchmarks read: the
// directory CORPUS_DIR names, else shared/corpus beside the repository (looked for in every
// parent of the working directory, so that any package's tests find it). The samples are
// not part of the repository: where they are missing, what needs them is skipped.
package corpustest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the directory of the samples, or "" when they are not on this machine. A
// directory holds them when it has their README.md.
func Dir() string {
	if d := os.Getenv("CORPUS_DIR"); d != "" {
		if isCorpus(d) {
			return d
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if c := filepath.Join(d, "shared", "corpus"); isCorpus(c) {
			return c
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func isCorpus(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "README.md"))
	return err == nil
}

// Require returns the directory of the samples, or skips tb when they are missing.
func Require(tb testing.TB) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		tb.Skip("public log samples not found (set CORPUS_DIR, or place them at shared/corpus beside the repository); skipping")
	}
	return d
}

// ReadFile returns the sample called name, or skips tb when the samples are missing. A
// sample missing from samples that are there fails tb.
func ReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(Require(tb), name))
	if err != nil {
		tb.Fatalf("read public log sample: %v", err)
	}
	return data
}

// ReadFileOrNil returns the sample called name, or nil when the samples are missing, for
// what can make lines of its own instead. A sample missing from samples that are there
// fails tb.
func ReadFileOrNil(tb testing.TB, name string) []byte {
	tb.Helper()
	if Dir() == "" {
		return nil
	}
	return ReadFile(tb, name)
}

// Lines returns the lines of the sample called name as a shipper that splits on LF sends
// them (a CR stays at the end), or skips tb when the samples are missing.
func Lines(tb testing.TB, name string) [][]byte {
	tb.Helper()
	return bytes.Split(bytes.TrimSuffix(ReadFile(tb, name), []byte("\n")), []byte("\n"))
}
