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

// IndexName returns the index that holds the events of time t of the tenant whose key
// (tenant.Tenant.Key) is tenantKey: one per UTC day when the tenant keeps events
// retentionDays <= 31 days, one per UTC month above. tenantKey must be a valid key.
func IndexName(tenantKey string, t time.Time, retentionDays int) string {
	layout := dailyLayout
	if retentionDays > maxDailyRetention {
		layout = monthlyLayout
	}
	return indexPrefix + tenantKey + "-" + t.UTC().Format(layout)
}

// ParseIndexName is the inverse of IndexName: the tenant key and the UTC day or month
// [start, end) that the index covers. Dates contain no dash, so the date is what follows
// the last dash; callers must still compare the key exactly.
func ParseIndexName(name string) (tenantKey string, start, end time.Time, ok bool) {
	rest, found := strings.CutPrefix(name, indexPrefix)
	if !found {
		return "", time.Time{}, time.Time{}, false
	}
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return "", time.Time{}, time.Time{}, false
	}
	tenantKey, date := rest[:i], rest[i+1:]
	if !tenant.ValidKey(tenantKey) {
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
			return tenantKey, t, l.next(t), true
		}
	}
	return "", time.Time{}, time.Time{}, false
}
