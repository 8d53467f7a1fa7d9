package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestRunServesKafka(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(runCtx, []string{"-port", "0"}, w, io.Discard)
		_ = w.Close()
	}()

	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	seed, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	require.True(t, ok, "first line %q", line)

	cl, err := kgo.NewClient(kgo.SeedBrokers(seed))
	require.NoError(t, err)
	defer cl.Close()
	_, err = kadm.NewClient(cl).CreateTopic(ctx, 3, 1, nil, "trolly.raw")
	require.NoError(t, err)
	require.NoError(t, cl.ProduceSync(ctx, &kgo.Record{Topic: "trolly.raw", Value: []byte("hello")}).FirstErr())

	stop()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-ctx.Done():
		require.FailNow(t, "run did not return after its context ended")
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    []int
		wantErr string
	}{
		{nil, []int{9092}, ""},
		{[]string{"-port", "0"}, []int{0}, ""},
		{[]string{"-ports", "9092,9093, 9094"}, []int{9092, 9093, 9094}, ""},
		{[]string{"-ports", "9092,x"}, nil, `-ports: "x" is not a port`},
		{[]string{"-port", "70000"}, nil, "-port: 70000 is not a port"},
		{[]string{"-port", "1", "-ports", "2"}, nil, "give one of them"},
		{[]string{"extra"}, nil, "unexpected arguments"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
