package sqlite

import (
	"encoding/base64"

	"github.com/trolly-logs/trolly/tenant"
)

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// page is a checked tenant.Page: its size and the sort key to start after.
type page struct {
	size  int
	after string
}

// parsePage checks p. A token is the base64url of the last sort key of the page before.
func parsePage(p tenant.Page) (page, error) {
	size := p.Size
	switch {
	case size == 0:
		size = defaultPageSize
	case size < 0 || size > maxPageSize:
		return page{}, tenant.Invalid("page_size", "must be between 1 and %d, got %d", maxPageSize, p.Size)
	}
	after, err := base64.RawURLEncoding.DecodeString(p.Token)
	if err != nil {
		return page{}, tenant.Invalid("page_token", "is not a token of this list")
	}
	return page{size: size, after: string(after)}, nil
}

// limit fetches one more than the page, to learn whether another follows.
func (p page) limit() int { return p.size + 1 }

// cut trims what limit fetched to the page and returns the next page's token, empty
// after the last page.
func cut[T any](items []T, p page, key func(T) string) ([]T, string) {
	if len(items) <= p.size {
		return items, ""
	}
	items = items[:p.size]
	return items, base64.RawURLEncoding.EncodeToString([]byte(key(items[len(items)-1])))
}
