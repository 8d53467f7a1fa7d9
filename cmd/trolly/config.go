package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/trolly-logs/trolly/config"
)

// loadConfig reads the file, then the environment, then the flags, then applies defaults.
func loadConfig(path, dataDir string, environ []string) (*config.Config, error) {
	cfg := &config.Config{}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		cfg, err = config.Parse(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := cfg.ApplyEnv(environ); err != nil {
		return nil, err
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		var lines []string
		for _, e := range unjoin(err) {
			lines = append(lines, "  "+e.Error())
		}
		return nil, errors.New("invalid configuration:\n" + strings.Join(lines, "\n"))
	}
	return cfg, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	level, _ := config.LogLevel(cfg.Level) // validated
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
