package rule

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/tenant"
)

// FuzzRule reads any document as a rule: it is refused with an error naming a field, or
// compiled; a compiled rule written back as JSON compiles to the same rule.
func FuzzRule(f *testing.F) {
	f.Add([]byte(`{"name":"r","kind":"threshold","where":"a:b OR c","by":["h"],"window":"5m","slide":"1m","when":"count >= 2","suppress":{"for":"1h"}}`))
	f.Add([]byte(`{"name":"s","kind":"sequence","by":["u"],"within":"10m","steps":[{"where":"x","times":3,"distinct":"ip"},{"where":"y","equal":{"ip":1}}],"until":"z"}`))
	f.Add([]byte(`{"name":"a","kind":"absence","where":"hb","by":["h"],"for":"2m","expected":[["w1"]],"time":"arrival"}`))
	f.Add([]byte(`{"name":"m","kind":"match","where":"\"p q\"","labels":{"a":"b"},"severity":"low","enabled":true,"lateness":"0s"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		r, err := ParseJSON(doc)
		if err == nil {
			var c *Compiled
			c, err = Compile(r)
			if err == nil {
				again, err := json.Marshal(c.Rule)
				require.NoError(t, err)
				r2, err := ParseJSON(again)
				require.NoError(t, err, "%s", again)
				c2, err := Compile(r2)
				require.NoError(t, err, "%s", again)
				require.Equal(t, summary(c), summary(c2))
				return
			}
		}
		require.ErrorIs(t, err, tenant.ErrInvalid)
		require.NotEmpty(t, tenant.FieldOf(err), "%v", err)
	})
}

// summary is a compiled rule with its predicates written out, to compare.
func summary(c *Compiled) any {
	s := *c
	preds := []string{format(c.Where), format(c.Until)}
	for i := range s.Steps {
		preds = append(preds, format(s.Steps[i].Where))
	}
	s.Where, s.Until, s.Steps = nil, nil, nil
	return []any{s, preds, len(c.Steps)}
}

func format(n query.Node) string {
	if n == nil {
		return ""
	}
	return query.Format(n)
}

// FuzzCondition reads any text as a threshold's condition; what it reads, it writes back.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{"count >= 20", "distinct(a.b) > 1", "avg(x)<=1e-3", "max(y) == -0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s)
		if err != nil {
			return
		}
		again, err := ParseCondition(c.String())
		require.NoError(t, err, "%q wrote %q", s, c.String())
		require.Equal(t, c, again)
	})
}
