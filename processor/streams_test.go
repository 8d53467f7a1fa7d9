package processor

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/sourcetype"
	"github.com/trolly-logs/trolly/tenant"
)

// TestStreamsSettings compiles a stream's settings from the directory, and refuses settings
// that no longer compile rather than parsing without them (and so without their redaction).
func TestStreamsSettings(t *testing.T) {
	dir, err := tenant.NewStatic([]tenant.Config{{ID: "acme", Streams: []tenant.StreamConfig{
		{Name: "app", SourceType: "text", Parser: map[string]any{"patterns": []any{"^%{WORD:user.name}$"}}},
		{Name: "old", SourceType: "text", Parser: map[string]any{"patterns": []any{"%{NOPE:x}"}}},
	}}})
	require.NoError(t, err)
	s := newStreams(dir, sourcetype.Builtin(), slog.New(slog.DiscardHandler))

	st, err := s.get(t.Context(), "acme", "app", "text")
	require.NoError(t, err)
	require.NotNil(t, st.patterns, "the stream's patterns")
	again, err := s.get(t.Context(), "acme", "app", "text")
	require.NoError(t, err)
	require.Same(t, st, again, "compiled once")

	plain, err := s.get(t.Context(), "acme", "app", "json")
	require.NoError(t, err)
	require.Nil(t, plain.patterns, "a batch of another source type is parsed without the settings")

	_, err = s.get(t.Context(), "acme", "old", "text")
	require.ErrorIs(t, err, ErrInvalidSettings)
	require.Equal(t, reasonInvalidSettings, poisonReason(err))

	_, err = s.get(t.Context(), "acme", "gone", "windows_evtx")
	require.ErrorIs(t, err, ErrUnknownSourceType)
}
