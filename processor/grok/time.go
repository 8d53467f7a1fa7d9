package grok

import (
	"time"

	"github.com/trolly-logs/trolly/processor/timestamp"
)

// timeLayout is how a timestamp capture is read; the zero value recognises the common
// formats by their shape.
type timeLayout = timestamp.Layout

// parseLayout reads the layout of timestamp(layout): a format name or a Go layout.
func parseLayout(s string) (timeLayout, error) {
	return timestamp.ParseLayout(s)
}

// parseTime reads a timestamp capture in Unix nanoseconds.
func (c *capture) parseTime(v []byte, loc *time.Location, ref int64) (int64, bool) {
	return c.layout.Parse(v, loc, ref)
}
