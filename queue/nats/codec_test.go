package nats

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"

	natsio "github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
)

func accessLines(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "10.0.%d.%d - - [07/Dec/2026:16:18:%02d +0000] \"GET /api/v1/items/%d HTTP/1.1\" 200 %d \"-\" \"curl/8.5.0\"\n",
			i%256, i%199, i%60, i*7, 512+i%4096)
	}
	return b.Bytes()
}

func testCodec(t *testing.T, compression string, maxBody int) *codec {
	c, err := newCodec(compression, maxBody)
	require.NoError(t, err)
	t.Cleanup(c.close)
	return c
}

func TestCodecRoundTrip(t *testing.T) {
	c := testCodec(t, CompressionZstd, 1<<20)

	body := accessLines(1000)
	m := c.message("s", body)
	require.Equal(t, CompressionZstd, m.Header.Get(headerEncoding))
	require.Less(t, len(m.Data), len(body)/4, "access lines compress well")
	got, err := c.body(m.Header, m.Data)
	require.NoError(t, err)
	require.Equal(t, body, got)

	small := []byte("a short body")
	m = c.message("s", small)
	require.Nil(t, m.Header, "a body under compressMin is stored as it is")
	require.Equal(t, small, m.Data)

	random := make([]byte, 4096)
	_, _ = rand.Read(random)
	m = c.message("s", random)
	require.Nil(t, m.Header, "a body that does not shrink is stored as it is")
	require.Equal(t, random, m.Data)
	got, err = c.body(m.Header, m.Data)
	require.NoError(t, err)
	require.Equal(t, random, got)
}

func TestCodecNoneReadsBoth(t *testing.T) {
	z := testCodec(t, CompressionZstd, 1<<20)
	none := testCodec(t, CompressionNone, 1<<20)

	body := accessLines(100)
	plain := none.message("s", body)
	require.Nil(t, plain.Header)
	require.Equal(t, body, plain.Data)

	packed := z.message("s", body)
	got, err := none.body(packed.Header, packed.Data)
	require.NoError(t, err, "compression none still reads compressed bodies")
	require.Equal(t, body, got)
	got, err = z.body(plain.Header, plain.Data)
	require.NoError(t, err)
	require.Equal(t, body, got)
}

func TestCodecRefuses(t *testing.T) {
	c := testCodec(t, CompressionZstd, 64<<10)

	_, err := c.body(natsio.Header{headerEncoding: {CompressionZstd}}, []byte("not a zstd frame"))
	require.ErrorContains(t, err, "decompress a body of 16 bytes")

	_, err = c.body(natsio.Header{headerEncoding: {"br"}}, []byte("x"))
	require.ErrorContains(t, err, `unknown encoding "br"`)

	// A frame that expands past the largest body a publish may carry: a bomb.
	big := testCodec(t, CompressionZstd, 8<<20)
	bomb := big.message("s", make([]byte, 1<<20))
	require.Less(t, len(bomb.Data), 1<<10)
	_, err = c.body(bomb.Header, bomb.Data)
	require.Error(t, err, "1 MiB restored under a 64 KiB limit")
}

// FuzzCodecBody feeds the decoder what a stream could hold: it must fail cleanly or
// restore at most the largest body, and a compressed body must come back whole.
func FuzzCodecBody(f *testing.F) {
	c, err := newCodec(CompressionZstd, 1<<20)
	require.NoError(f, err)
	f.Cleanup(c.close)
	f.Add(accessLines(20), true)
	f.Add(c.message("s", accessLines(20)).Data, false)
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58}, false)
	f.Fuzz(func(t *testing.T, data []byte, publish bool) {
		if publish {
			m := c.message("s", data)
			got, err := c.body(m.Header, m.Data)
			require.NoError(t, err)
			require.True(t, bytes.Equal(data, got), "round trip of %d bytes", len(data))
			return
		}
		got, err := c.body(natsio.Header{headerEncoding: {CompressionZstd}}, data)
		if err == nil {
			require.LessOrEqual(t, len(got), 1<<20)
		}
	})
}
