package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fields captures what a generated combined line holds.
var fields = regexp.MustCompile(`^(\S+) - - \[([^\]]+)\] "(\w+) (\S+) HTTP/(1\.1)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$`)

// Each line becomes one JSON object with the values the line holds under the paths of
// Trolly's nginx_access parser, its time as @timestamp, and none of Trolly's bookkeeping.
func TestJSONLinesOfGeneratedLines(t *testing.T) {
	made := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	c, err := makeCorpus(40, made)
	require.NoError(t, err)
	require.Len(t, c.json, distinctBatches)
	for b, body := range c.raw {
		lines := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
		objs := bytes.Split(bytes.TrimSuffix(c.json[b], []byte("\n")), []byte("\n"))
		require.Len(t, objs, len(lines))
		for i, line := range lines {
			m := fields.FindStringSubmatch(string(line))
			require.NotNil(t, m, "%s", line)
			var got map[string]any
			require.NoError(t, json.Unmarshal(objs[i], &got))
			at, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[2])
			require.NoError(t, err)
			status, _ := strconv.Atoi(m[6])
			size, _ := strconv.Atoi(m[7])
			outcome := "success"
			if status >= 400 {
				outcome = "failure"
			}
			want := map[string]any{
				"message":                   string(line),
				"@timestamp":                at.UTC().Format(time.RFC3339),
				"source.address":            m[1],
				"source.ip":                 m[1],
				"http.request.method":       m[3],
				"url.original":              m[4],
				"http.version":              m[5],
				"http.response.status_code": float64(status),
				"http.response.body.bytes":  float64(size),
				"user_agent.original":       m[9],
				"event.kind":                "event",
				"event.category":            []any{"web"},
				"event.type":                []any{"access"},
				"event.outcome":             outcome,
				"event.dataset":             "nginx_access",
			}
			if m[8] != "-" {
				want["http.request.referrer"] = m[8]
			}
			require.Equal(t, want, got, "%s", line)
		}
	}
}

func TestIsBookkeeping(t *testing.T) {
	for path, want := range map[string]bool{
		"event.id": true, "event.ingested": true, "organization.id": true, "data_stream.dataset": true,
		"ecs.version": true, "event.dataset": false, "event.kind": false, "message": false,
		"@timestamp": false, "organization": false, "ecs": false, "event.idle": false,
	} {
		require.Equal(t, want, isBookkeeping(path), path)
	}
}

// sent visits each event as often as a load of lines in batch-line requests sends it.
func TestCorpusSent(t *testing.T) {
	c := &corpus{}
	for b := range 3 {
		var evs []event
		for i := range 4 {
			evs = append(evs, event{"id": strconv.Itoa(10*b + i)})
		}
		c.events = append(c.events, evs)
	}
	for _, tc := range []struct {
		lines, batch int
		want         map[string]int
	}{
		// One request: the first two lines of body 0.
		{2, 4, map[string]int{"0": 1, "1": 1}},
		// Five requests: bodies 0, 1, 2, 0, then 1 with three lines.
		{19, 4, map[string]int{"0": 2, "1": 2, "2": 2, "3": 2, "10": 2, "11": 2, "12": 2, "13": 1, "20": 1, "21": 1, "22": 1, "23": 1}},
		// Six whole requests: each body twice.
		{24, 4, map[string]int{"0": 2, "1": 2, "2": 2, "3": 2, "10": 2, "11": 2, "12": 2, "13": 2, "20": 2, "21": 2, "22": 2, "23": 2}},
	} {
		got := map[string]int{}
		total := 0
		c.sent(tc.lines, tc.batch, func(ev event, times int) {
			got[ev["id"].(string)] += times
			total += times
		})
		require.Equal(t, tc.want, got, "%d lines of %d", tc.lines, tc.batch)
		require.Equal(t, tc.lines, total)
	}
}
