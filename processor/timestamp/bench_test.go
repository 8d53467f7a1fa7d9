package timestamp

import (
	"testing"
	"time"
)

func BenchmarkParse(b *testing.B) {
	paris, err := LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	for _, bb := range []struct {
		name, in string
		loc      *time.Location
	}{
		{"rfc3339", "2024-03-10T01:02:03.123456+01:00", time.UTC},
		{"rfc3339_loc", "2024-03-10T01:02:03.123456", paris},
		{"rfc3164", "Dec 10 06:55:46", time.UTC},
		{"rfc3164_loc", "Dec 10 06:55:46", paris},
		{"clf", "10/Oct/2000:13:55:36 -0700", time.UTC},
		{"apache", "Sun Dec 04 04:47:44 2005", time.UTC},
		{"java", "2024-03-10 01:02:03,456", time.UTC},
		{"nginx", "2024/03/10 01:02:03", time.UTC},
		{"unix_ms", "1700000000123", time.UTC},
	} {
		b.Run(bb.name, func(b *testing.B) {
			v := []byte(bb.in)
			b.ReportAllocs()
			b.SetBytes(int64(len(v)))
			n := 0
			for b.Loop() {
				if _, ok := Parse(v, bb.loc, ref); !ok {
					b.Fatal("rejected")
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

func BenchmarkParseGoLayout(b *testing.B) {
	l, err := ParseLayout(time.RFC1123Z)
	if err != nil {
		b.Fatal(err)
	}
	v := []byte("Sun, 10 Mar 2024 01:02:03 +0100")
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	n := 0
	for b.Loop() {
		if _, ok := l.Parse(v, time.UTC, ref); !ok {
			b.Fatal("rejected")
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}
