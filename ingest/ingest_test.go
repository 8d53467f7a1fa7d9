package ingest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestError(t *testing.T) {
	err := error(Errorf(TooLarge, 12, "%d bytes", 300))
	require.EqualError(t, err, "line 12: 300 bytes")
	var ie *Error
	require.True(t, errors.As(err, &ie))
	require.Equal(t, TooLarge, ie.Kind)
	require.EqualError(t, Errorf(Invalid, 0, "not gzip"), "not gzip", "no line when there is none")
}
