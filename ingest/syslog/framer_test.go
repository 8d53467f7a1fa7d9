package syslog

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// frame is a Frame as a string, for comparing: the message, then T when truncated and C
// when octet-counted.
func frameString(f Frame) string {
	if f.Dropped != "" {
		return "dropped: " + f.Dropped
	}
	s := string(f.Data)
	if f.Truncated {
		s += " T"
	}
	if f.Counted {
		s += " C"
	}
	return s
}

// readAll frames everything r gives and returns the frames and the final error.
func readAll(r io.Reader, maxMessage int) ([]string, error) {
	fr := NewReader(r, maxMessage)
	var out []string
	for {
		f, err := fr.Next()
		if err != nil {
			return out, err
		}
		out = append(out, frameString(f))
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"lf", "<13>a\n<13>b\n", 100, []string{"<13>a", "<13>b"}},
		{"crlf", "<13>a\r\n<13>b\r\n", 100, []string{"<13>a", "<13>b"}},
		{"no final lf", "<13>a\n<13>b", 100, []string{"<13>a", "<13>b"}},
		{"nul", "<13>a\x00<13>b\x00", 100, []string{"<13>a", "<13>b"}},
		{"nul then lf", "<13>a\x00\n<13>b", 100, []string{"<13>a", "<13>b"}},
		{"octet counted", "5 <13>a6 <13>bc", 100, []string{"<13>a C", "<13>bc C"}},
		{"octet counted with lf inside", "6 <13>a\n6 <13>b\n", 100, []string{"<13>a C", "<13>b C"}},
		{"octet counted with lf after", "5 <13>a\n5 <13>b\r\n", 100, []string{"<13>a C", "<13>b C"}},
		{"lf inside an octet-counted frame", "8 <13>a\nb\n", 100, []string{"<13>a\nb C"}},
		{"mixed per frame", "5 <13>a<13>b\n5 <13>c", 100, []string{"<13>a C", "<13>b", "<13>c C"}},
		{"leading zeros", "005 <13>a", 100, []string{"<13>a C"}},
		{"byte order mark", "\xef\xbb\xbf<13>a\n\xef\xbb\xbf5 <13>b", 100, []string{"<13>a", "<13>b C"}},
		{"partial byte order mark is text", "\xef\xbb<13>a", 100, []string{"\xef\xbb<13>a"}},
		{"leading space kept for the parser", " <13>Jan  2 15:04:05 host app: x\n", 100, []string{" <13>Jan  2 15:04:05 host app: x"}},
		{"blank frames dropped", "\n\n  \r\n\t\n<13>a\n\x00\x00", 100, []string{"<13>a"}},
		{"exactly the maximum, crlf", "<13>a\r\n<13>b", 5, []string{"<13>a", "<13>b"}},
		{"one over the maximum", "<13>ab\n<13>c\n", 5, []string{"<13>a T", "<13>c"}},
		{"long line truncated, rest dropped", "<13>" + strings.Repeat("x", 50) + "\n<13>c\n", 8, []string{"<13>xxxx T", "<13>c"}},
		{"long line at the end", "<13>" + strings.Repeat("x", 50), 8, []string{"<13>xxxx T"}},
		{"long octet frame, rest dropped", "10 <13>abcdef<13>x\n", 5, []string{"<13>a T C", "<13>x"}},
		{"long octet frame at the end", "10 <13>abc", 5, []string{"<13>a T C"}},
		{"cut at a character", "<13>a\u20ac\n", 6, []string{"<13>a T"}},
		{"octet frame cut short by the end", "10 <13>a", 100, []string{"<13>a T C"}},
		{"count too short leaves a tail", "3 <13>hello\n", 100, []string{"<13 C", ">hello"}},
		{"zero count is a frame of its own", "0 <13>a\n", 100, []string{"dropped: bad_octet_count", "<13>a"}},
		{"zero count between counted frames", "5 <13>a0 5 <13>b", 100, []string{"<13>a C", "dropped: bad_octet_count", "<13>b C"}},
		{"zeros", "000 5 <13>b", 100, []string{"dropped: bad_octet_count", "<13>b C"}},
		{"ten digits, up to the line end", "1234567890 x\n<13>b\n", 100, []string{"dropped: bad_octet_count", "<13>b"}},
		{"twenty digits, up to the next counted frame", "12345678901234567890 <13>bad5 <13>a", 100,
			[]string{"dropped: bad_octet_count", "<13>a C"}},
		{"twenty digits, next frame at once", "12345678901234567890 5 <13>a", 100, []string{"dropped: bad_octet_count", "<13>a C"}},
		{"twenty digits, digits inside", "12345678901234567890 <13>x 12 y 1234567890 <z5 <13>a", 100,
			[]string{"dropped: bad_octet_count", "<13>a C"}},
		{"twenty digits to the end", "12345678901234567890 <13>bad 12", 100, []string{"dropped: bad_octet_count"}},
		{"nul inside a line", "<13>a\x00b c\n<13>d\n", 100, []string{"<13>a", "dropped: nul_in_message", "<13>d"}},
		{"nuls inside a line", "<13>a\x00b\x00c\n<13>d", 100, []string{"<13>a", "dropped: nul_in_message", "dropped: nul_in_message", "<13>d"}},
		{"nul then a counted frame", "<13>a\x005 <13>b", 100, []string{"<13>a", "<13>b C"}},
		{"nul then lf then text", "<13>a\x00\nb\n", 100, []string{"<13>a", "b"}},
		{"digits without space are text", "2024-01-02T03:04:05Z host app: x\n123", 100, []string{"2024-01-02T03:04:05Z host app: x", "123"}},
		{"count and nothing", "5 ", 100, nil},
		{"empty", "", 100, nil},
	}
	readers := map[string]func(io.Reader) io.Reader{
		"whole":      func(r io.Reader) io.Reader { return r },
		"one byte":   iotest.OneByteReader,
		"half":       iotest.HalfReader,
		"data error": iotest.DataErrReader,
	}
	for _, tt := range tests {
		for rname, wrap := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				got, err := readAll(wrap(strings.NewReader(tt.in)), tt.max)
				require.ErrorIs(t, err, io.EOF)
				require.Equal(t, tt.want, got)
			})
		}
	}
}

func TestReaderSourceError(t *testing.T) {
	boom := errors.New("connection reset")
	src := io.MultiReader(strings.NewReader("<13>a\n<13>b"), iotest.ErrReader(boom))
	got, err := readAll(src, 100)
	require.ErrorIs(t, err, boom)
	require.Equal(t, []string{"<13>a", "<13>b"}, got, "what came before the error is framed")
}

type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderNoProgress(t *testing.T) {
	_, err := NewReader(stuckReader{}, 100).Next()
	require.ErrorIs(t, err, io.ErrNoProgress)
}

func TestReaderBufferBounded(t *testing.T) {
	const maxMessage = 10000
	in := strings.Repeat("x", 10*maxMessage) + "\n" + "99999999 " + strings.Repeat("y", 5*maxMessage)
	r := NewReader(strings.NewReader(in), maxMessage)
	f, err := r.Next()
	require.NoError(t, err)
	require.Len(t, f.Data, maxMessage)
	require.True(t, f.Truncated)
	f, err = r.Next()
	require.NoError(t, err)
	require.Len(t, f.Data, maxMessage)
	require.True(t, f.Truncated && f.Counted)
	_, err = r.Next()
	require.ErrorIs(t, err, io.EOF)
	require.LessOrEqual(t, len(r.buf), maxMessage+headroom)
}

func TestReaderStartsSmall(t *testing.T) {
	r := NewReader(strings.NewReader("<13>a\n"), 1<<20)
	_, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, minBuffer, len(r.buf), "short messages keep the first buffer")
}

func TestDatagram(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
		ok   bool
	}{
		{"plain", "<13>Jan  2 15:04:05 host app: x", 100, "<13>Jan  2 15:04:05 host app: x", true},
		{"trailing lf and nul", "<13>a\r\n\x00", 100, "<13>a", true},
		{"lf inside kept", "<13>a\n<13>b\n", 100, "<13>a\n<13>b", true},
		{"byte order mark", "\xef\xbb\xbf<13>a", 100, "<13>a", true},
		{"truncated", "<13>abcdef", 5, "<13>a T", true},
		{"cut at a character", "<13>a\u20ac", 6, "<13>a T", true},
		{"blank", " \r\n", 100, "", false},
		{"empty", "", 100, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := Datagram([]byte(tt.in), tt.max)
			require.Equal(t, tt.ok, ok)
			require.False(t, f.Counted)
			if ok {
				require.Equal(t, tt.want, frameString(f))
			}
		})
	}
}

func TestDatagramAliases(t *testing.T) {
	p := []byte("<13>a\n")
	f, ok := Datagram(p, 100)
	require.True(t, ok)
	require.Same(t, &p[0], &f.Data[0], "no copy of the datagram")
}

func TestCutRune(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"abc":                  "abc",
		"a\u20ac":              "a\u20ac",
		"a\u20ac"[:3]:          "a",
		"\U0001F600"[:3]:       "",
		"a\xff":                "a\xff",
		"\x80\x80\x80\x80\x80": "\x80\x80\x80\x80\x80",
	} {
		require.Equal(t, []byte(want), cutRune([]byte(in)), "%q", in)
	}
}

func TestDelim(t *testing.T) {
	require.Equal(t, -1, delim([]byte("abc")))
	require.Equal(t, 1, delim([]byte("a\nb\x00")))
	require.Equal(t, 1, delim([]byte("a\x00b\n")))
	require.Equal(t, 0, delim(bytes.Repeat([]byte{0}, 3)))
}
