package e2e

import (
	"fmt"
	"testing"

	"github.com/trolly-logs/trolly/internal/pgtest"
)

// postgresCatalog makes a database of the test's own, dropped after it, and returns the
// metadata section that points trolly at it.
func postgresCatalog(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("metadata: {driver: postgres, dsn: %q}", pgtest.NewDatabase(t, ""))
}
