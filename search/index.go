package search

import (
	"strings"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

const (
	indexPrefix   = "trolly-"
	dailyLayout   = "2006.01.02"
	monthlyLayout = "2006.01"
	// maxDailyRetention is the longest retention that still gets one index per day:
	// beyond it, daily indices would be too many and too small.
	maxDailyRetention = 31
)

// IndexName returns the index that holds tenant's events of time t: one per UTC day when
// the tenant keeps events retentionDays <= 31 days, one per UTC month above. tenant must
// be a valid tenant id.
func IndexName(tenant string, t time.Time, retentionDays int) string {
	layout := dailyLayout
	if retentionDays > maxDailyRetention {
		layout = monthlyLayout
	}
	return indexPrefix + tenant + "-" + t.UTC().Format(layout)
}

// ParseIndexName is the inverse of IndexName: the tenant and the UTC day or month
// [start, end) that the index covers. Tenant ids contain no dot, so the date is what
// follows the last dash; callers must still compare the tenant exactly.
func ParseIndexName(name string) (tenantID string, start, end time.Time, ok bool) {
	rest, found := strings.CutPrefix(name, indexPrefix)
	if !found {
		return "", time.Time{}, time.Time{}, false
	}
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return "", time.Time{}, time.Time{}, false
	}
	tenantID, date := rest[:i], rest[i+1:]
	if !tenant.ValidID(tenantID) {
		return "", time.Time{}, time.Time{}, false
	}
	for _, l := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{dailyLayout, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{monthlyLayout, func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
	} {
		// The format check rejects what time.Parse tolerates, such as one-digit fields.
		if t, err := time.Parse(l.layout, date); err == nil && t.Format(l.layout) == date {
			return tenantID, t, l.next(t), true
		}
	}
	return "", time.Time{}, time.Time{}, false
}
