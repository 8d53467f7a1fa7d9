package cep

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIndexAgreesWithNaive runs generated rules of every kind on generated events twice:
// through the shared index, and giving every event to every rule. The alerts must be the
// same, event by event.
func TestIndexAgreesWithNaive(t *testing.T) {
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var rules []Rule
		for i := range 40 {
			rules = append(rules, compiled(t, fmt.Sprint("r", i), genRule(rng, i)))
		}
		indexed := New(Config{}, rules, t0)
		naive := New(Config{naive: true}, rules, t0)
		require.Less(t, len(indexed.index.always), len(rules), "some rules are keyed")
		now := t0
		for i := range 400 {
			now = now.Add(time.Duration(rng.IntN(20)) * time.Second)
			ev := event(t, fmt.Sprint("e", i), now.Add(-time.Duration(rng.IntN(90))*time.Second), genEvent(rng))
			ev.Arrival = now
			require.Equal(t, naive.Process(ev), indexed.Process(ev), "seed %d event %d", seed, i)
			if rng.IntN(20) == 0 {
				now = now.Add(time.Minute)
				require.Equal(t, naive.Advance(now), indexed.Advance(now), "seed %d advance %d", seed, i)
			}
		}
		require.Equal(t, naive.Stats(), indexed.Stats())
	}
}

var vocab = map[string][]string{
	"event.outcome": {"success", "failure", "unknown"},
	"event.code":    {"1", "2", "3", "4"},
	"host.name":     {"a", "b", "c"},
	"user.name":     {"u1", "u2"},
	"tags":          {"x", "y"},
}

func genTerm(rng *rand.Rand) string {
	fields := []string{"event.outcome", "event.code", "host.name", "user.name", "tags"}
	f := fields[rng.IntN(len(fields))]
	vs := vocab[f]
	v := vs[rng.IntN(len(vs))]
	switch rng.IntN(10) {
	case 0:
		return f + ":" + v[:1] + "*"
	case 1:
		return "NOT " + f + ":" + v
	case 2:
		return "event.code >= " + fmt.Sprint(rng.IntN(4)+1)
	case 3:
		return f + ":*"
	case 4:
		return v // a word anywhere
	}
	return f + ":" + v
}

func genWhere(rng *rand.Rand) string {
	n := rng.IntN(3) + 1
	parts := make([]string, n)
	for i := range parts {
		parts[i] = genTerm(rng)
	}
	op := " AND "
	if rng.IntN(3) == 0 {
		op = " OR "
	}
	return strings.Join(parts, op)
}

func genRule(rng *rand.Rand, i int) string {
	where := fmt.Sprintf("'%s'", genWhere(rng))
	name := fmt.Sprintf("name: r%d\nlateness: 30s\n", i)
	switch rng.IntN(5) {
	case 0:
		return name + "kind: match\nwhere: " + where + "\n"
	case 1:
		return name + "kind: threshold\nwhere: " + where + "\nby: [host.name]\nwindow: 2m\nslide: 1m\nwhen: count >= 2\n"
	case 2:
		return name + "kind: threshold\nwhere: " + where + "\nwindow: 1m\nwhen: distinct(user.name) < 2\nsuppress: {for: 5m}\n"
	case 3:
		return name + fmt.Sprintf("kind: sequence\nby: [user.name]\nwithin: 5m\nsteps: [{where: %s, times: 2}, {where: '%s'}]\n", where, genWhere(rng))
	}
	return name + "kind: absence\nwhere: " + where + "\nby: [host.name]\nfor: 3m\n"
}

func genEvent(rng *rand.Rand) string {
	doc := map[string]any{"message": "m"}
	for _, f := range []string{"event.outcome", "event.code", "host.name", "user.name", "tags"} {
		if rng.IntN(5) == 0 {
			continue
		}
		vs := vocab[f]
		var v any = vs[rng.IntN(len(vs))]
		switch {
		case f == "tags":
			v = []any{v, vs[rng.IntN(len(vs))]}
		case f == "event.code" && rng.IntN(2) == 0:
			v = json.Number(v.(string))
		}
		parent, leaf, found := strings.Cut(f, ".")
		if !found {
			doc[f] = v
			continue
		}
		m, _ := doc[parent].(map[string]any)
		if m == nil {
			m = map[string]any{}
			doc[parent] = m
		}
		m[leaf] = v
	}
	b, _ := json.Marshal(doc)
	return string(b)
}
