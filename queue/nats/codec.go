package nats

import (
	"fmt"

	"github.com/klauspost/compress/zstd"
	natsio "github.com/nats-io/nats.go"
)

// Compression settings of Config.Compression.
const (
	// CompressionZstd compresses each body of compressMin bytes or more: the stream's
	// disk, the server's block cache and the fsyncs of a publish all shrink with it.
	CompressionZstd = "zstd"
	// CompressionNone stores bodies as they are.
	CompressionNone = "none"
)

// headerEncoding marks a compressed body; a message without it is stored as published,
// so streams written before compression, or by a process with compression "none", read
// the same.
const headerEncoding = "Trolly-Encoding"

// compressMin is the smallest body worth compressing: below it the frame and header cost
// more than they save.
const compressMin = 512

// codec compresses bodies on publish and restores them on delivery. Encoder and decoder
// are safe for concurrent use with EncodeAll and DecodeAll.
type codec struct {
	enc *zstd.Encoder // nil with compression "none"
	dec *zstd.Decoder
}

// newCodec makes the codec of compression; a restored body may not exceed maxBody.
func newCodec(compression string, maxBody int) (*codec, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(uint64(maxBody)))
	if err != nil {
		return nil, err
	}
	c := &codec{dec: dec}
	if compression == CompressionZstd {
		// The fastest level: a body is compressed on the path of the gateway's answer.
		c.enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
			zstd.WithLowerEncoderMem(true))
		if err != nil {
			dec.Close()
			return nil, err
		}
	}
	return c, nil
}

// message is the NATS message of body on subject, compressed when worth it.
func (c *codec) message(subject string, body []byte) *natsio.Msg {
	m := &natsio.Msg{Subject: subject, Data: body}
	if c.enc == nil || len(body) < compressMin {
		return m
	}
	z := c.enc.EncodeAll(body, make([]byte, 0, len(body)/4))
	if len(z) >= len(body) {
		return m
	}
	m.Data = z
	m.Header = natsio.Header{headerEncoding: []string{CompressionZstd}}
	return m
}

// body restores what was published as m's data and headers.
func (c *codec) body(h natsio.Header, data []byte) ([]byte, error) {
	switch enc := h.Get(headerEncoding); enc {
	case "":
		return data, nil
	case CompressionZstd:
		b, err := c.dec.DecodeAll(data, nil)
		if err != nil {
			return nil, fmt.Errorf("decompress a body of %d bytes: %w", len(data), err)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("a body of unknown encoding %q", enc)
	}
}

func (c *codec) close() {
	c.dec.Close()
	if c.enc != nil {
		_ = c.enc.Close()
	}
}
