package syslog

import (
	"bytes"
	"io"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// chunkReader reads src in pieces whose sizes cycle through sizes (1 to 64 bytes each).
type chunkReader struct {
	src   []byte
	sizes []byte
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.src) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(c.sizes) > 0 {
		n += int(c.sizes[c.i%len(c.sizes)] % 64)
		c.i++
	}
	n = copy(p[:min(n, len(p))], c.src)
	c.src = c.src[n:]
	return n, nil
}

func frames(t *testing.T, r io.Reader, maxMessage int) []Frame {
	t.Helper()
	fr := NewReader(r, maxMessage)
	var out []Frame
	for {
		f, err := fr.Next()
		if err != nil {
			require.ErrorIs(t, err, io.EOF)
			return out
		}
		f.Data = bytes.Clone(f.Data) // the next call reuses the buffer
		out = append(out, f)
	}
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"<13>a\n<13>b\r\n<13>c", "5 <13>a6 <13>bc\n", "\xef\xbb\xbf12 <34>1 - h a\x00",
		"10 <13>abcdef<13>x\n", "3 <13>hello\n0 x\n1234567890 y", "<13>a\u20ac\u20ac\u20ac\n",
		"99 short", "\n\n \r\n\x00<13>" + string(bytes.Repeat([]byte("x"), 300)) + "\n7 <13>end",
		"12345678901234567890 <13>bad 12 x5 <13>a", "5 <13>a0 00 5 <13>b", "<13>a\x00b\x00c\n<13>d\x00<13>e",
	} {
		f.Add([]byte(s), []byte{0, 3, 7}, uint16(8))
		f.Add([]byte(s), []byte{63}, uint16(100))
	}
	f.Fuzz(func(t *testing.T, stream, sizes []byte, maxMessage uint16) {
		limit := int(maxMessage%1024) + 1
		whole := frames(t, bytes.NewReader(stream), limit)
		pieces := frames(t, &chunkReader{src: stream, sizes: sizes}, limit)
		require.Equal(t, whole, pieces, "framing does not depend on how the stream arrives")
		total := 0
		for _, fr := range whole {
			if fr.Dropped != "" {
				require.Contains(t, []string{DropBadCount, DropNUL}, fr.Dropped)
				require.Empty(t, fr.Data)
				continue
			}
			require.LessOrEqual(t, len(fr.Data), limit)
			require.False(t, isBlank(fr.Data))
			require.Equal(t, trimEnd(fr.Data), fr.Data, "line ends are trimmed")
			if !fr.Counted {
				require.Equal(t, -1, delim(fr.Data), "an LF-framed message holds no LF or NUL")
			}
			total += len(fr.Data)
		}
		require.LessOrEqual(t, total, len(stream))
	})
}

func FuzzDatagram(f *testing.F) {
	for _, s := range []string{"<13>a\r\n", "\xef\xbb\xbf<13>a\u20ac", " \n", "<13>a\nb\x00"} {
		f.Add([]byte(s), uint16(4))
	}
	f.Fuzz(func(t *testing.T, p []byte, maxMessage uint16) {
		limit := int(maxMessage%1024) + 1
		fr, ok := Datagram(p, limit)
		require.Equal(t, ok, !isBlank(fr.Data))
		require.LessOrEqual(t, len(fr.Data), limit)
		requireWithin(t, p, fr.Data)
		require.Equal(t, trimEnd(fr.Data), fr.Data)
		if !ok {
			return
		}
		// Only line ends follow the message, unless it was cut.
		off := int(uintptr(unsafe.Pointer(unsafe.SliceData(fr.Data))) - uintptr(unsafe.Pointer(unsafe.SliceData(p))))
		require.Equal(t, fr.Truncated, len(trimEnd(p[off+len(fr.Data):])) > 0)
		require.LessOrEqual(t, off, bytes.IndexFunc(p, func(r rune) bool { return r != '\n' && r != '\r' && r != 0 })+len(bom))
	})
}

func FuzzAuth(f *testing.F) {
	const head = "<165>1 2003-10-11T22:14:15.003Z host app 12 ID47 "
	for _, s := range []string{
		head + `[auth@32473 token="abc" stream="web"] msg`,
		head + `[x@1 a="1"][auth token="t"][y b="]\"" c="2"] m`,
		head + `[auth@32473 token="a\"b\]c"][auth@1 token="x"]`,
		head + `[auth@32473 token="abc" m`, "<13>Jan  2 15:04:05 host sshd[12]: m", "<13>1 - h - - - [auth token=\"t\"]",
	} {
		f.Add([]byte(s))
	}
	var ar AuthReader
	f.Fuzz(func(t *testing.T, msg []byte) {
		orig := bytes.Clone(msg)
		a := ar.Read(msg)
		requireWithin(t, msg, a.Token)
		requireWithin(t, msg, a.Stream)
		requireWithin(t, msg, a.AppName)
		out := a.AppendData(nil, msg)
		require.Equal(t, orig, msg, "the message is left as it was")
		if a.sd == nil {
			require.Equal(t, string(msg), string(out))
			return
		}
		require.Less(t, len(out), len(msg)+1)
		again := ar.Read(out)
		require.Nil(t, again.Token, "no token is left in %q", out)
		require.Nil(t, again.Stream)
		require.Nil(t, again.sd, "no auth element is left in %q", out)
		require.Equal(t, string(a.AppName), string(again.AppName))
		require.Equal(t, string(out), string(again.AppendData(nil, out)))
	})
}

// requireWithin fails unless b is empty or lies inside outer's memory.
func requireWithin(t *testing.T, outer, b []byte) {
	t.Helper()
	if len(b) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(outer)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	require.True(t, p >= start && p+uintptr(len(b)) <= start+uintptr(len(outer)), "%q is not a slice of %q", b, outer)
}
