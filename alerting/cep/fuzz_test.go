package cep

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzEngine runs rules of every kind on events and clock moves made from the input: the
// engine neither panics nor raises an id twice, an update follows its alert, and the same
// input gives the same alerts.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 200, 13, 14, 255, 15})
	f.Add([]byte("failures then a success, a reset, a heartbeat and silence"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 2000 {
			return
		}
		rules := []Rule{
			compiled(t, "m", "name: m\nkind: match\nwhere: event.outcome:success\nsuppress: {by: [user.name], for: 2m}\n"),
			compiled(t, "t", "name: t\nkind: threshold\nwhere: 'event.outcome:failure'\nby: [source.ip]\nwindow: 2m\nslide: 30s\nwhen: distinct(user.name) >= 2\nsuppress: {for: 3m}\n"),
			compiled(t, "a", "name: a\nkind: threshold\nwhere: 'bytes:*'\nwindow: 1m\nwhen: avg(bytes) < 50\nlateness: 10s\n"),
			compiled(t, "s", guessed),
			compiled(t, "h", "name: h\nkind: absence\nwhere: event.dataset:heartbeat\nby: [host.name]\nfor: 90s\nexpected: [[h0]]\ntime: arrival\n"),
		}
		play := func() []Alert {
			e := New(Config{MaxGroups: 3, MaxAlertEvents: 4, MaxDistinct: 3}, rules, t0)
			var out []Alert
			now := t0
			for i, b := range in {
				now = now.Add(time.Duration(b%16) * 7 * time.Second)
				if b >= 240 {
					out = append(out, e.Advance(now)...)
					continue
				}
				skew := time.Duration(int(b/16)%5-2) * 20 * time.Second // some events come late
				ev := event(t, fmt.Sprint("e", i), now.Add(skew), doc(b))
				ev.Arrival = now
				out = append(out, e.Process(ev)...)
			}
			return append(out, e.Advance(now.Add(time.Hour))...)
		}
		first := play()
		require.Equal(t, first, play())
		seen := map[string]bool{}
		for _, a := range first {
			require.Equal(t, a.New, !seen[a.ID], "%+v", a)
			seen[a.ID] = true
			require.LessOrEqual(t, len(a.EventIDs), 4)
		}
	})
}

func doc(b byte) string {
	ip, user, host := b%4, b/4%3, b/8%3
	switch b % 5 {
	case 0:
		return fmt.Sprintf(`{"event":{"outcome":"success"},"source":{"ip":"ip%d"},"user":{"name":"u%d"}}`, ip, user)
	case 1, 2:
		return fmt.Sprintf(`{"event":{"outcome":"failure"},"source":{"ip":"ip%d"},"user":{"name":"u%d"},"bytes":%d}`, ip, user, b)
	case 3:
		return fmt.Sprintf(`{"event":{"dataset":"heartbeat"},"host":{"name":"h%d"}}`, host)
	}
	return fmt.Sprintf(`{"event":{"action":"password-reset"},"user":{"name":"u%d"}}`, user)
}
