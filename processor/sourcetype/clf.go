package sourcetype

import (
	"bytes"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/timestamp"
)

// parseCLFTime reads the access log time "10/Oct/2000:13:55:36 -0700" and returns it in
// Unix nanoseconds; package timestamp holds the scanner.
func parseCLFTime(b []byte) (int64, bool) {
	return timestamp.CLF.Parse(b, time.UTC, 0)
}

// unescaped returns v with the escapes of access logs decoded: \" \\ \n \r \t (Apache) and
// \xHH (Apache and nginx). Unknown escapes stay as written. v itself is returned when it
// has no backslash, so the common case copies nothing.
func unescaped(d *ecs.Document, v []byte) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	return d.Append(func(dst []byte) []byte {
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c != '\\' || i+1 == len(v) {
				dst = append(dst, c)
				continue
			}
			switch e := v[i+1]; e {
			case '"', '\\':
				dst = append(dst, e)
				i++
			case 'n':
				dst = append(dst, '\n')
				i++
			case 'r':
				dst = append(dst, '\r')
				i++
			case 't':
				dst = append(dst, '\t')
				i++
			case 'x':
				h, ok := hexByte(v[i+2 : min(i+4, len(v))])
				if !ok {
					dst = append(dst, c)
					continue
				}
				dst = append(dst, h)
				i += 3
			default:
				dst = append(dst, c)
			}
		}
		return dst
	})
}

func hexByte(b []byte) (byte, bool) {
	if len(b) != 2 {
		return 0, false
	}
	var n byte
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | (c - '0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | (c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | (c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return n, true
}
