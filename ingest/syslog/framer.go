package syslog

import (
	"bytes"
	"io"
	"unicode/utf8"
)

// Frame is one message as framed off the wire.
type Frame struct {
	// Data is the message without its framing: no length prefix, no leading byte order
	// mark, no trailing CR, LF or NUL. From a Reader it is valid until the next call to Next.
	Data []byte
	// Truncated is set when Data is only the start of the message: it was longer than the
	// maximum, or the stream ended inside its octet-counted frame.
	Truncated bool
	// Counted is set when the frame was octet-counted.
	Counted bool
	// Dropped, when not empty, says why the frame was malformed and dropped (one of the
	// Drop reasons); Data is then empty. It is returned so that it can be counted.
	Dropped string
}

// Reasons a Reader drops a frame.
const (
	// DropBadCount is a length prefix of zero, or of more than 9 digits.
	DropBadCount = "bad_octet_count"
	// DropNUL is what follows a NUL inside a line, up to its end: the NUL ended a
	// message, and the rest cannot be one.
	DropNUL = "nul_in_message"
)

const (
	// maxCountDigits bounds a length prefix: a longer run of digits is text, as rsyslog
	// falls back to LF framing for an absurd count rather than skip gigabytes.
	maxCountDigits = 9
	// headroom is what the buffer holds beyond the maximum message: the CR and LF that
	// tell a message of exactly the maximum from a longer one, with room to spare.
	headroom = 16
	// minBuffer is the buffer a connection starts with; it grows to the maximum message
	// as messages need it, so that idle connections stay small.
	minBuffer    = 4096
	maxEmptyRead = 100
)

// Reader frames the messages of a TCP or TLS stream. Each frame is octet-counted when it
// starts with 1 to 9 digits (not all zero) and a space, else it ends at the next LF or
// NUL; the choice is made again for every frame, as RFC 6587 senders may mix them.
// Before a frame, LF, CR and NUL bytes and a UTF-8 byte order mark are skipped; blank
// messages are dropped.
//
// A malformed frame is dropped alone, and returned with the reason, so that the frames
// after it are read as sent. A length prefix of zero is a frame of its own. A prefix of
// more than 9 digits cannot be followed (rsyslog reads it as text, which swallows the
// octet-counted frames after it): its frame ends at the next LF or NUL, or before the next
// octet-counted frame of a syslog message (digits, a space and '<'). A line that a NUL
// cut, when what follows the NUL starts no message (no '<' or length prefix), loses that
// rest up to its LF.
//
// A message longer than the maximum is cut to the maximum (at a UTF-8 character
// boundary), marked Truncated, and the rest of its frame is discarded: up to the end of
// its octet count, or the next LF or NUL. A bad length prefix cannot be told from a good
// one; a count too short leaves the tail of the message to be read as the next frame,
// like rsyslog does.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	src      io.Reader
	buf      []byte
	r, w     int // buf[r:w] is read and not yet framed
	max      int
	limit    int   // the largest the buffer grows
	err      error // of the source, returned once the buffer is drained
	skip     int   // bytes left of a truncated octet-counted frame
	skipLine bool  // discard up to the next LF or NUL
	afterNUL bool  // the last line ended at a NUL, with no line end after it yet
}

// NewReader returns a Reader of the messages in r, each at most maxMessage bytes (at least
// 1). Its buffer grows to about maxMessage bytes.
func NewReader(r io.Reader, maxMessage int) *Reader {
	maxMessage = max(maxMessage, 1)
	limit := maxMessage + headroom
	return &Reader{src: r, buf: make([]byte, min(limit, minBuffer)), max: maxMessage, limit: limit}
}

// Next returns the next message. At the end of the stream it returns the source's error:
// io.EOF when the stream ended cleanly. A frame cut short by the end of the stream is
// returned before that error, Truncated when it was octet-counted.
func (r *Reader) Next() (Frame, error) {
	for {
		r.drop()
		if !r.start() {
			return Frame{}, r.err
		}
		afterNUL := r.afterNUL
		r.afterNUL = false
		var f Frame
		n, size := r.count()
		switch {
		case size > 0 && (n == 0 || n > maxCount):
			r.r += size
			if n > maxCount {
				r.resync()
			}
			return Frame{Dropped: DropBadCount}, nil
		case size > 0:
			r.r += size
			f = r.counted(n)
		case afterNUL && r.buf[r.r] != '<':
			r.skipLine = true
			return Frame{Dropped: DropNUL}, nil
		default:
			f = r.line()
		}
		if !isBlank(f.Data) {
			return f, nil
		}
	}
}

// drop discards what is left of a truncated frame.
func (r *Reader) drop() {
	for r.skip > 0 {
		n := min(r.skip, r.w-r.r)
		r.r += n
		r.skip -= n
		if r.skip > 0 && !r.fill() {
			r.skip = 0
		}
	}
	for r.skipLine {
		if i := delim(r.buf[r.r:r.w]); i >= 0 {
			r.afterNUL = r.buf[r.r+i] == 0 // the line goes on after it
			r.r += i + 1
			r.skipLine = false
			break
		}
		r.r = r.w
		if !r.fill() {
			r.skipLine = false
		}
	}
}

// start skips what may come between frames: line ends, NULs and byte order marks. It
// reports whether a frame follows.
func (r *Reader) start() bool {
	for {
		if r.r == r.w && !r.fill() {
			return false
		}
		switch c := r.buf[r.r]; {
		case c == '\n':
			r.afterNUL = false
			r.r++
		case c == '\r' || c == 0:
			r.r++
		case c == bom[0] && r.need(len(bom)) && bytes.HasPrefix(r.buf[r.r:r.w], bom):
			r.r += len(bom)
		default:
			return true
		}
	}
}

var bom = []byte("\xef\xbb\xbf")

// maxCount is the largest length prefix of maxCountDigits.
const maxCount = 999_999_999

// count reads the length prefix that starts an octet-counted frame and returns the length
// and the size of the prefix, or a size of 0 when the frame has none. A length of 0 is a
// bad prefix, and so is one over maxCount, returned for more than maxCountDigits digits.
func (r *Reader) count() (n, size int) {
	for i := 0; ; i++ {
		if r.r+i == r.w && !r.fill() {
			return 0, 0
		}
		switch c := r.buf[r.r+i]; {
		case c >= '0' && c <= '9' && i < maxCountDigits:
			n = n*10 + int(c-'0')
		case c >= '0' && c <= '9':
			n = maxCount + 1
		case c == ' ' && i > 0:
			return n, i + 1
		default:
			return 0, 0
		}
	}
}

// resync discards the frame of a bad length prefix: up to the next LF or NUL (included),
// or up to the next length prefix of a syslog message (excluded). It decides only on bytes
// it has read, so the frames do not depend on how the stream arrives.
func (r *Reader) resync() {
	for {
		end, next := resyncPoint(r.buf[r.r:r.w], r.err != nil)
		if end >= 0 {
			r.r += end
			return
		}
		r.r += next
		if !r.fill() {
			r.r = r.w
			return
		}
	}
}

// resyncPoint returns where the frame of a bad length prefix ends in b: after its first
// LF or NUL, or at the first run of 1 to 9 digits (not all zero) that follows no digit and
// is followed by a space and '<'. Without one it returns -1 and how much of b can go: all
// but a run of digits that more bytes could make a prefix, unless final.
func resyncPoint(b []byte, final bool) (end, next int) {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\n' || c == 0:
			return i + 1, 0
		case c >= '1' && c <= '9' && (i == 0 || b[i-1] < '0' || b[i-1] > '9'):
			j := i + 1
			for j < len(b) && j-i <= maxCountDigits && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			if j+1 >= len(b) && !final && j-i <= maxCountDigits {
				return -1, i // more bytes decide
			}
			if j-i <= maxCountDigits && j+1 < len(b) && b[j] == ' ' && b[j+1] == '<' {
				return i, 0
			}
		}
	}
	return -1, len(b)
}

// counted reads the n bytes of an octet-counted frame, keeping at most the maximum.
func (r *Reader) counted(n int) Frame {
	take := min(n, r.max)
	r.need(take)
	take = min(take, r.w-r.r)
	data := r.buf[r.r : r.r+take]
	r.r += take
	r.skip = n - take
	return r.frame(data, n > take, true)
}

// line reads a frame that ends at LF or NUL, or at the end of the stream.
func (r *Reader) line() Frame {
	window := r.max + 2 // the maximum, a CR and the LF
	scanned := 0
	for {
		buf := r.buf[r.r:r.w]
		end := min(len(buf), window)
		if i := delim(buf[scanned:end]); i >= 0 {
			r.r += scanned + i + 1
			r.afterNUL = buf[scanned+i] == 0
			return r.frame(buf[:scanned+i], false, false)
		}
		scanned = end
		if end == window {
			r.r += r.max
			r.skipLine = true
			return r.frame(buf[:r.max], true, false)
		}
		if !r.fill() { // the last frame, without its LF
			buf = r.buf[r.r:r.w] // fill may have moved it
			r.r = r.w
			return r.frame(buf, false, false)
		}
	}
}

// frame makes a Frame of data: its line end trimmed, cut to the maximum.
func (r *Reader) frame(data []byte, truncated, counted bool) Frame {
	data = trimEnd(data)
	if len(data) > r.max {
		data, truncated = data[:r.max], true
	}
	if truncated {
		data = trimEnd(cutRune(data))
	}
	return Frame{Data: data, Truncated: truncated, Counted: counted}
}

// need reports whether n bytes are buffered, reading until they are or the source ends.
func (r *Reader) need(n int) bool {
	for r.w-r.r < n {
		if !r.fill() {
			return false
		}
	}
	return true
}

// fill moves the buffered bytes to the front, grows the buffer when it is full, and reads
// from the source. It reports whether it read anything.
func (r *Reader) fill() bool {
	if r.err != nil {
		return false
	}
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		if len(r.buf) >= r.limit {
			return false // never asked for: frames need at most the limit
		}
		grown := make([]byte, min(2*len(r.buf), r.limit))
		copy(grown, r.buf[:r.w])
		r.buf = grown
	}
	for range maxEmptyRead {
		n, err := r.src.Read(r.buf[r.w:])
		if n > 0 {
			r.w += min(n, len(r.buf)-r.w)
		}
		if err != nil {
			r.err = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
	r.err = io.ErrNoProgress
	return false
}

// Datagram frames one UDP datagram as one message: RFC 5426 puts one message in each,
// and rsyslog's imudp reads it whole, LFs inside included. The rules of a Reader's frame
// apply: a leading byte order mark and the trailing CR, LF and NUL bytes go, a message
// over maxMessage bytes is cut and marked. ok is false for a blank datagram.
func Datagram(p []byte, maxMessage int) (f Frame, ok bool) {
	maxMessage = max(maxMessage, 1)
	for len(p) > 0 && (p[0] == '\n' || p[0] == '\r' || p[0] == 0) {
		p = p[1:]
	}
	p = bytes.TrimPrefix(p, bom)
	f.Data = trimEnd(p)
	if len(f.Data) > maxMessage {
		f.Data, f.Truncated = trimEnd(cutRune(f.Data[:maxMessage])), true
	}
	return f, !isBlank(f.Data)
}

// delim returns the index of the first LF or NUL in b, or -1.
func delim(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		i = len(b)
	}
	if j := bytes.IndexByte(b[:i], 0); j >= 0 {
		return j
	}
	if i == len(b) {
		return -1
	}
	return i
}

// trimEnd drops the CR, LF and NUL bytes that end b.
func trimEnd(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	return b
}

// cutRune drops an incomplete UTF-8 sequence that a cut left at the end of b.
func cutRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// isBlank reports whether b holds nothing but spaces, tabs, line ends and NULs.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0 {
			return false
		}
	}
	return true
}
