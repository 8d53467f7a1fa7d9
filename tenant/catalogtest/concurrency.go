package catalogtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func concurrencyTests() []test {
	return []test{
		{"StreamLimit", testConcurrentStreams},
		{"Rotate", testConcurrentRotate},
	}
}

// testConcurrentStreams races 8 creations against a limit of 5: the limit holds.
func testConcurrentStreams(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{MaxStreams: 5})
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.c.CreateStream(f.ctx, actor, tenant.Stream{TenantID: "acme", Name: fmt.Sprintf("s%d", i), SourceType: "json"})
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		if err == nil {
			created++
			continue
		}
		require.ErrorIs(t, err, tenant.ErrLimit)
	}
	require.Equal(t, 5, created)
	ss, _, err := f.c.ListStreams(f.ctx, "acme", tenant.Page{})
	require.NoError(t, err)
	require.Len(t, ss, 5)
	require.Len(t, f.audits("stream.create"), 5)
}

// testConcurrentRotate races 8 rotations of one session: one wins, the others conflict
// and store nothing.
func testConcurrentRotate(t *testing.T, f *fixture) {
	u := f.sessionUser()
	fam := newID()
	old := f.session(u.ID, fam)
	next := make([]tenant.Session, 8)
	errs := make([]error, len(next))
	for i := range next {
		next[i] = tenant.Session{ID: newID(), UserID: u.ID, Family: fam, Hash: tenant.HashToken(fmt.Sprint("next", i)),
			ExpiresAt: f.clock.Now().Add(time.Hour), CreatedAt: f.clock.Now()}
	}
	var wg sync.WaitGroup
	for i := range next {
		wg.Go(func() { errs[i] = f.c.RotateSession(f.ctx, old.ID, next[i]) })
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		_, stored := f.c.SessionByHash(f.ctx, next[i].Hash)
		if err == nil {
			won++
			require.NoError(t, stored)
			continue
		}
		require.ErrorIs(t, err, tenant.ErrConflict, "rotation %d", i)
		require.ErrorIs(t, stored, tenant.ErrNotFound, "a lost rotation stores nothing")
	}
	require.Equal(t, 1, won)
	f.requireRevoked(old)
}
