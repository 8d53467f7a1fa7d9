package ecs

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/jsonstr"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

func TestAppendRFC3339(t *testing.T) {
	for _, ns := range []int64{
		0, 1, -1, 999_999_999, -999_999_999, 1_000_000_000, 1714557600_123000000, 1714557600_000000001,
		951782400_000000000, // 2000-02-29
		-86400_000000000, 4107542399_999999999, 253402300799, math.MaxInt64, math.MinInt64,
		math.MinInt64 + 1, -1_000_000_000,
	} {
		t.Run(strconv.FormatInt(ns, 10), func(t *testing.T) {
			want := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
			require.Equal(t, want, string(appendRFC3339(nil, ns)))
		})
	}
}

// FuzzAppendRFC3339 checks the hand-written formatting against the standard library.
func FuzzAppendRFC3339(f *testing.F) {
	for _, ns := range []int64{0, -1, math.MaxInt64, math.MinInt64, 1714557600_123000000} {
		f.Add(ns)
	}
	f.Fuzz(func(t *testing.T, ns int64) {
		want := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
		require.Equal(t, want, string(appendRFC3339([]byte("x"), ns)[1:]))
	})
}

// shapeOps builds documents from bytes, two per operation: which path, and what to set.
type shapeOps []byte

var opPaths = []string{"a", "a.b", "a.b.c", "a._value", "b", "tags", "error.message", "message",
	"x.y", "a-b", "a0", "organization.id"}

// build applies the operations to d; rec changes the values, never the paths.
func (ops shapeOps) build(t *testing.T, d *Document, rec int) {
	d.Reset()
	for i := 0; i+1 < len(ops); i += 2 {
		path := opPaths[int(ops[i])%len(opPaths)]
		v := fmt.Sprintf("v%d-%d", rec, i)
		switch ops[i+1] % 10 {
		case 0:
			d.SetString(path, v)
		case 1:
			d.SetBytes(path, []byte(v+"\"\xff"))
		case 2:
			d.SetInt(path, int64(rec*1000+i))
		case 3:
			d.SetRaw(path, `["r","`+v+`"]`)
		case 4:
			d.SetRaw(path, `[]`)
		case 5:
			require.NoError(t, d.MergeJSON([]byte(`{"`+path+`":{}}`)))
		case 6:
			d.AddTag(v)
		case 7:
			d.AddError(v)
		case 8:
			d.Reserve()
		case 9:
			d.SetTime(path, time.Unix(int64(rec), int64(i)))
		}
	}
}

// uncached encodes d without the shape cache, as the reference.
func uncached(d *Document) []byte {
	d.resolve(nil, false)
	return d.write(nil, nil)
}

// FuzzShapes checks that documents written from a remembered shape are the ones the
// resolver writes, record after record, for several sequences sharing one Document.
func FuzzShapes(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 5, 6, 5, 6}, []byte{8, 8, 11, 0, 7, 7})
	f.Add([]byte{0, 2, 1, 2, 2, 3}, []byte{1, 5, 1, 0})
	f.Add([]byte{5, 0, 5, 4, 5, 6, 3, 9}, []byte{})
	f.Add([]byte{0, 0, 0, 0, 0, 2}, []byte{3, 0, 2, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		// Documents of up to 40 fields: longer ones only slow the fuzzer down.
		a, b = a[:min(len(a), 80)], b[:min(len(b), 80)]
		var shared Document
		for rec := range 3 {
			for _, ops := range []shapeOps{a, b, append(shapeOps{}, b...)} {
				ops.build(t, &shared, rec)
				got := shared.AppendJSON(nil)
				require.NoError(t, ecstest.Check(got), "%s", got)
				require.Equal(t, string(got), string(shared.AppendJSON(nil)), "encoding again")
				var fresh Document
				ops.build(t, &fresh, rec)
				require.Equal(t, string(uncached(&fresh)), string(got))
			}
		}
	})
}

// TestShapeChurn goes through more shapes than the cache holds, twice, so that slots are
// replaced and relearned.
func TestShapeChurn(t *testing.T) {
	var shared Document
	for round := range 2 {
		for n := range 3 * shapeSlots {
			build := func(d *Document) {
				d.Reset()
				for bit := range 8 {
					if n&(1<<bit) != 0 {
						d.SetInt(fmt.Sprintf("f.%d", bit), int64(round))
					}
				}
				d.SetString("n", strconv.Itoa(n))
			}
			build(&shared)
			got := shared.AppendJSON(nil)
			var fresh Document
			build(&fresh)
			require.Equal(t, string(uncached(&fresh)), string(got), "shape %d", n)
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	var d Document
	line := []byte(`192.0.2.1 - - [01/May/2024:10:00:00 +0200] "GET /index.html HTTP/1.1" 200 5120 "-" "curl/8.5.0"`)
	build := func() {
		d.Reset()
		d.SetBytes("source.address", line[:9])
		d.SetBytes("source.ip", line[:9])
		d.SetBytes("http.request.method", line[44:47])
		d.SetBytes("url.original", line[48:59])
		d.SetBytes("http.version", line[65:68])
		d.SetString("event.kind", "event")
		d.SetRaw("event.category", `["web"]`)
		d.SetInt("http.response.status_code", 200)
		d.SetInt("http.response.body.bytes", 5120)
		d.SetBytes("user_agent.original", line[len(line)-11:len(line)-1])
		d.Reserve()
		d.SetTime("@timestamp", time.Unix(1714550400, 0))
		d.SetBytes("message", line)
		d.SetString("event.id", "01HY7Z3Q5W8X9V2N4M6K1J0G3F-0")
		d.SetString("ecs.version", "8.17.0")
	}
	var out []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		build()
		out = d.AppendJSON(out[:0])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkAppendEscaped(b *testing.B) {
	line := []byte(`192.0.2.1 - - [01/May/2024:10:00:00 +0200] "GET /api/v1/items?page=3&q=term12 HTTP/1.1" 200 5120 "https://www.google.com/search?q=trolly" "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"`)
	var out []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		out = appendEscaped(out[:0], line)
	}
}

// escapedByByte is appendEscaped one byte at a time, as the reference.
func escapedByByte(s []byte) []byte {
	out := []byte{}
	for i := 0; i < len(s); {
		c := s[i]
		switch r, size := utf8.DecodeRune(s[i:]); {
		case c < utf8.RuneSelf && c >= 0x20 && c != '"' && c != '\\':
			out = append(out, c)
		case c < utf8.RuneSelf:
			out = jsonstr.AppendEscapedByte(out, c)
		case r == utf8.RuneError && size == 1:
			out = append(out, `\ufffd`...)
		default:
			out = append(out, s[i:i+size]...)
			i += size
			continue
		}
		i++
	}
	return out
}

// FuzzAppendEscaped checks the word-at-a-time escaping against the byte-at-a-time one, for
// strings and byte slices, and that the result is a valid JSON string.
func FuzzAppendEscaped(f *testing.F) {
	for _, s := range []string{"", "plain ascii", "12345678", "1234567\"", "q\"b\\s\x00\x1f\t\r\n\xff\xc3(é€",
		"é1234567", "\x01 abcdefgh", "abcdefgh\x01 ", "\xed\xa0\x80xxxxxxxx"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		want := escapedByByte(s)
		require.Equal(t, string(want), string(appendEscaped([]byte("x"), s)[1:]))
		require.Equal(t, string(want), string(appendEscaped(nil, string(s))))
		require.True(t, json.Valid([]byte(`"`+string(want)+`"`)), "%q", want)
	})
}
