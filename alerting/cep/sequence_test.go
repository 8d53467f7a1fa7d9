package cep

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const guessed = `
name: guessed password
kind: sequence
by: [user.name]
within: 10m
steps:
  - {where: 'event.outcome:failure', times: 3}
  - {where: 'event.outcome:success', equal: {source.ip: 1}}
until: 'event.action:password-reset'
lateness: 0s
`

func success(t *testing.T, id string, ts time.Time, ip, user string) Event {
	return event(t, id, ts, fmt.Sprintf(`{"event":{"outcome":"success"},"source":{"ip":%q},"user":{"name":%q}}`, ip, user))
}

func TestSequence(t *testing.T) {
	e := New(Config{}, []Rule{compiled(t, "r1", guessed)}, t0)
	got := run(e,
		fail(t, "e1", at(0), "ip1", "u1"),
		fail(t, "e2", at(time.Minute), "ip1", "u1"),
		fail(t, "e3", at(90*time.Second), "ip1", "u2"),    // another group
		success(t, "e4", at(90*time.Second), "ip1", "u1"), // too soon: two failures so far
		fail(t, "e5", at(2*time.Minute), "ip1", "u1"),     // the third
		success(t, "e6", at(3*time.Minute), "ip2", "u1"),  // not from the ip of step 1's last event
		success(t, "e7", at(4*time.Minute), "ip1", "u1"),
		success(t, "e8", at(5*time.Minute), "ip1", "u1"), // the match ended with e7
	)
	require.Equal(t, []brief{
		{New: true, Group: "[u1]", Count: 4, Value: 4, End: 4 * time.Minute, Last: 4 * time.Minute, EventIDs: "[e1 e2 e5 e7]", IDOf: "a"},
	}, got)
}

func TestSequenceUntilAndWithin(t *testing.T) {
	e := New(Config{}, []Rule{compiled(t, "r1", guessed)}, t0)
	got := run(e,
		fail(t, "e1", at(0), "ip1", "u1"),
		fail(t, "e2", at(time.Minute), "ip1", "u1"),
		fail(t, "e3", at(2*time.Minute), "ip1", "u1"),
		event(t, "e4", at(3*time.Minute), `{"event":{"action":"password-reset"},"user":{"name":"u1"}}`),
		success(t, "e5", at(4*time.Minute), "ip1", "u1"), // the reset dropped the match
	)
	require.Empty(t, got)

	e = New(Config{}, []Rule{compiled(t, "r1", guessed)}, t0)
	got = run(e,
		fail(t, "e1", at(0), "ip1", "u1"),
		fail(t, "e2", at(time.Minute), "ip1", "u1"),
		fail(t, "e3", at(10*time.Minute+30*time.Second), "ip1", "u1"), // e1 leaves the 10 minutes
		fail(t, "e4", at(10*time.Minute+45*time.Second), "ip1", "u1"),
		success(t, "e5", at(11*time.Minute), "ip1", "u1"), // 10 minutes after e2: within
	)
	require.Equal(t, []brief{
		{New: true, Group: "[u1]", Count: 4, Value: 4, Start: time.Minute, End: 11 * time.Minute, First: time.Minute, Last: 11 * time.Minute, EventIDs: "[e2 e3 e4 e5]", IDOf: "a"},
	}, got)

	e = New(Config{}, []Rule{compiled(t, "r1", guessed)}, t0)
	got = run(e,
		fail(t, "e1", at(0), "ip1", "u1"),
		fail(t, "e2", at(time.Minute), "ip1", "u1"),
		fail(t, "e3", at(11*time.Minute), "ip1", "u1"),
		fail(t, "e4", at(11*time.Minute+30*time.Second), "ip1", "u1"), // e2 leaves the 10 minutes too
		success(t, "e5", at(12*time.Minute), "ip1", "u1"),
	)
	require.Empty(t, got)

	e = New(Config{}, []Rule{compiled(t, "r1", guessed)}, t0)
	got = run(e,
		fail(t, "e1", at(0), "ip1", "u1"),
		fail(t, "e2", at(time.Minute), "ip1", "u1"),
		fail(t, "e3", at(2*time.Minute), "ip1", "u1"),
		at(11*time.Minute), // the watermark passes e1 + 10m: past the first step, the match is dropped
		success(t, "e4", at(11*time.Minute), "ip1", "u1"),
	)
	require.Empty(t, got)
}

func TestSequenceDistinct(t *testing.T) {
	r := compiled(t, "r1", `
name: spray
kind: sequence
by: [user.name]
within: 5m
steps: [{where: 'event.outcome:failure', times: 3, distinct: source.ip}]
lateness: 0s
`)
	e := New(Config{}, []Rule{r}, t0)
	got := run(e,
		fail(t, "e1", at(0), "ip1", "u"),
		fail(t, "e2", at(time.Second), "ip1", "u"),
		fail(t, "e3", at(2*time.Second), "ip2", "u"),
		fail(t, "e4", at(3*time.Second), "ip2", "u"),
		fail(t, "e5", at(4*time.Second), "ip3", "u"),
	)
	require.Equal(t, []brief{
		{New: true, Group: "[u]", Count: 3, Value: 3, End: 4 * time.Second, Last: 4 * time.Second, EventIDs: "[e1 e3 e5]", IDOf: "a"},
	}, got)
}

func TestAbsence(t *testing.T) {
	r := compiled(t, "r1", `
name: heartbeat
kind: absence
where: event.dataset:heartbeat
by: [host.name]
for: 5m
expected: [[web-01]]
lateness: 0s
`)
	beat := func(id string, d time.Duration, host string) Event {
		return event(t, id, at(d), fmt.Sprintf(`{"event":{"dataset":"heartbeat"},"host":{"name":%q}}`, host))
	}
	e := New(Config{}, []Rule{r}, t0)
	got := run(e,
		beat("e1", 0, "web-02"),
		beat("e2", time.Minute, "web-02"),
		at(5*time.Minute), // web-01, expected since t0, is due
		at(6*time.Minute), // web-02, last seen at 1m, is due
		beat("e3", 7*time.Minute, "web-02"),
		at(11*time.Minute), // web-01 fired already; web-02 is watched from 7m
		at(12*time.Minute),
	)
	require.Equal(t, []brief{
		{New: true, Group: "[web-01]", End: 5 * time.Minute, EventIDs: "[]", IDOf: "a"},
		{New: true, Group: "[web-02]", Start: time.Minute, End: 6 * time.Minute, First: time.Minute, Last: time.Minute, EventIDs: "[]", IDOf: "b"},
		{New: true, Group: "[web-02]", Start: 7 * time.Minute, End: 12 * time.Minute, First: 7 * time.Minute, Last: 7 * time.Minute, EventIDs: "[]", IDOf: "c"},
	}, got)
}
