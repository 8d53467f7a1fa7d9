package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// stallingCatalog holds the sign-in of one email inside its lookup until released.
type stallingCatalog struct {
	tenant.Catalog
	email   string
	entered chan struct{}
	release chan struct{}
}

func (c *stallingCatalog) UserByEmail(ctx context.Context, email string) (tenant.User, error) {
	if email == c.email {
		c.entered <- struct{}{}
		<-c.release
	}
	return c.Catalog.UserByEmail(ctx, email)
}

// TestPasswordHashesBounded: with every hash slot taken, a sign-in waits a little, then is
// told to retry later, without spending its failure budget; an unknown email needs a slot
// as a known one does, since it costs a hash too.
func TestPasswordHashesBounded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	e.addUser(t, "acme", "bob@example.com", tenant.RoleMember)
	cat := &stallingCatalog{Catalog: e.cat, email: "ann@example.com", entered: make(chan struct{}, 1), release: make(chan struct{})}
	svc := New(Config{Password: cheap, PasswordHashConcurrency: 1, PasswordHashWait: 10 * time.Millisecond, LoginFailuresPerAddress: 2},
		cat, e.dir, nil, nil, e.clock.Now)

	var wg sync.WaitGroup
	var annErr error
	wg.Go(func() { _, annErr = svc.Login(ctx, "ann@example.com", password, "192.0.2.1") })
	<-cat.entered

	for _, email := range []string{"nobody@example.com", "bob@example.com", "bob@example.com"} {
		_, err := svc.Login(ctx, email, "wrong password", "192.0.2.9")
		var busy *BusyError
		require.ErrorAs(t, err, &busy, email)
		require.ErrorIs(t, err, ErrBusy)
		require.Equal(t, time.Second, busy.RetryAfter)
	}
	close(cat.release)
	wg.Wait()
	require.NoError(t, annErr)

	_, err := svc.Login(ctx, "bob@example.com", password, "192.0.2.9")
	require.NoError(t, err, "refusals for want of a slot spent no failure budget")
	_, err = svc.Login(ctx, "nobody@example.com", "wrong password", "192.0.2.9")
	require.ErrorIs(t, err, tenant.ErrUnauthenticated, "a free slot checks again")
}
