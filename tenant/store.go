package tenant

import "time"

// StoreOptions configure a Catalog backend.
type StoreOptions struct {
	// Now is the store's clock for CreatedAt, UpdatedAt and audit times; nil is time.Now.
	Now func() time.Time
}

// Clock returns o.Now, or time.Now when it is unset.
func (o StoreOptions) Clock() func() time.Time {
	if o.Now == nil {
		return time.Now
	}
	return o.Now
}
