package tenant

import "encoding/base64"

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// Cursor is a checked Page, for stores: its size, and the sort key to start after ("" for
// the first page).
type Cursor struct {
	Size  int
	After string
}

// Cursor checks p. A token is the base64url of the last sort key of the page before.
func (p Page) Cursor() (Cursor, error) {
	size := p.Size
	switch {
	case size == 0:
		size = defaultPageSize
	case size < 0 || size > maxPageSize:
		return Cursor{}, invalid("page_size", "must be between 1 and %d, got %d", maxPageSize, p.Size)
	}
	after, err := base64.RawURLEncoding.DecodeString(p.Token)
	if err != nil {
		return Cursor{}, invalid("page_token", "is not a token of this list")
	}
	return Cursor{Size: size, After: string(after)}, nil
}

// Limit is the LIMIT of a page's query: one more than the page, to learn whether another
// follows.
func (c Cursor) Limit() int { return c.Size + 1 }

// CutPage trims items fetched with Limit to the page and returns the next page's token,
// empty after the last page.
func CutPage[T any](items []T, c Cursor, key func(T) string) ([]T, string) {
	if len(items) <= c.Size {
		return items, ""
	}
	items = items[:c.Size]
	return items, base64.RawURLEncoding.EncodeToString([]byte(key(items[len(items)-1])))
}
