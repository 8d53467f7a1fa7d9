package sourcetype

import (
	"bytes"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// parseCLFTime reads the access log time "10/Oct/2000:13:55:36 -0700" and returns it in
// Unix nanoseconds. It is written out rather than done with time.Parse because it runs once
// per line and a zone offset would otherwise allocate a time.Location.
func parseCLFTime(b []byte) (int64, bool) {
	if len(b) != len("02/Jan/2006:15:04:05 -0700") || b[2] != '/' || b[6] != '/' || b[11] != ':' ||
		b[14] != ':' || b[17] != ':' || b[20] != ' ' || (b[21] != '+' && b[21] != '-') {
		return 0, false
	}
	day, ok1 := num(b[0:2])
	year, ok2 := num(b[7:11])
	hour, ok3 := num(b[12:14])
	minute, ok4 := num(b[15:17])
	sec, ok5 := num(b[18:20])
	zh, ok6 := num(b[22:24])
	zm, ok7 := num(b[24:26])
	month := monthOf(b[3:6])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || month == 0 || hour > 23 || minute > 59 ||
		sec > 59 || zh > 23 || zm > 59 || day < 1 || day > daysIn(month, year) {
		return 0, false
	}
	offset := time.Duration(zh)*time.Hour + time.Duration(zm)*time.Minute
	if b[21] == '-' {
		offset = -offset
	}
	t := time.Date(year, month, day, hour, minute, sec, 0, time.UTC).Add(-offset)
	if !inNanoRange(t) {
		return 0, false
	}
	return t.UnixNano(), true
}

func num(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func monthOf(b []byte) time.Month {
	const names = "JanFebMarAprMayJunJulAugSepOctNovDec"
	for i := 0; i < len(names); i += 3 {
		if string(b) == names[i:i+3] {
			return time.Month(i/3 + 1)
		}
	}
	return 0
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
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
