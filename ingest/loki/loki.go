package loki

import (
	"errors"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trolly-logs/trolly/ingest"
)

// TimestampField is the Fields key of an entry's time, in RFC 3339 with nanoseconds (UTC).
const TimestampField = "@timestamp"

// LabelPrefix starts the Fields key of every label and structured metadata pair.
const LabelPrefix = "labels."

// Limits bound a push request. A zero limit is no limit.
type Limits struct {
	// MaxLineBytes is the longest line accepted; longer entries are discarded, as Loki
	// discards lines over max_line_size, and the others kept.
	MaxLineBytes int
	// MaxRecords is the most entries one request may hold.
	MaxRecords int
	// MaxBodyBytes bounds the protobuf body once snappy-decoded (the gateway bounds the
	// body as sent).
	MaxBodyBytes int
}

// Label is one name and value, as sent (names are not normalised here).
type Label struct {
	Name, Value string
}

// Stream is one stream of a push: its labels, sorted by name, and its records.
type Stream struct {
	Labels  []Label
	Records []ingest.Record
	start   int
}

// Label returns the value of the label name, if the stream has it.
func (s *Stream) Label(name string) (string, bool) {
	for _, l := range s.Labels {
		if l.Name == name {
			return l.Value, true
		}
	}
	return "", false
}

// Request is a decoded push.
type Request struct {
	// Streams are the routing hint: each stream's records are a part of Records.
	Streams []Stream
	// Records are all the accepted entries, stream after stream.
	Records []ingest.Record
	// Discarded counts the entries refused one by one (lines over MaxLineBytes), and
	// DiscardErr describes the first. Loki keeps the other entries of such a request and
	// answers 400 with the reason: see WriteDiscarded.
	Discarded  int
	DiscardErr *ingest.Error
}

// Decode decodes body by its Content-Type: application/json is the JSON form, anything
// else the snappy protobuf form, as in Loki. A body that is not snappy under another type
// than application/x-protobuf is refused with its type named: it is most often JSON sent
// without its Content-Type.
func Decode(contentType string, body []byte, lim Limits) (*Request, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil && mt == "application/json" {
		return DecodeJSON(body, lim)
	}
	req, err := DecodeProto(body, lim)
	var ie *ingest.Error
	if err != nil && mt != "application/x-protobuf" && errors.As(err, &ie) && ie.Kind == ingest.Invalid {
		return nil, ingest.Errorf(ingest.Invalid, 0, "Content-Type %q: expected application/x-protobuf (snappy) or application/json (read as protobuf: %s)",
			contentType, ie.Msg)
	}
	return req, err
}

// builder turns streams and entries into records; both decoders share it.
type builder struct {
	lim     Limits
	req     Request
	keys    []string // Fields keys of the current stream's labels
	entries int
}

// stream starts a stream with the given labels, which it sorts and checks as Loki does.
func (b *builder) stream(pos int, labels []Label) error {
	labels = slices.DeleteFunc(labels, func(l Label) bool { return l.Value == "" })
	if len(labels) == 0 {
		return invalid(pos, 0, "error at least one label pair is required per stream")
	}
	slices.SortFunc(labels, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	b.keys = b.keys[:0]
	for i, l := range labels {
		if !validLabelName(l.Name) {
			return invalid(pos, 0, "invalid label name %q: it must match [a-zA-Z_][a-zA-Z0-9_]*", l.Name)
		}
		if !utf8.ValidString(l.Value) {
			return invalid(pos, 0, "the value of label %q is not valid UTF-8", l.Name)
		}
		if i > 0 && labels[i-1].Name == l.Name {
			return invalid(pos, 0, "duplicate label name %q", l.Name)
		}
		b.keys = append(b.keys, LabelPrefix+l.Name)
	}
	b.req.Streams = append(b.req.Streams, Stream{Labels: labels, start: len(b.req.Records)})
	return nil
}

// entry adds an entry of the current stream. md are its structured metadata pairs.
func (b *builder) entry(pos, n int, unixNano int64, line []byte, md []Label) error {
	b.entries++
	if b.lim.MaxRecords > 0 && b.entries > b.lim.MaxRecords {
		return ingest.Errorf(ingest.TooLarge, 0, "the request holds more than %d entries: send smaller batches", b.lim.MaxRecords)
	}
	if b.lim.MaxLineBytes > 0 && len(line) > b.lim.MaxLineBytes {
		b.discard(pos, n, len(line))
		return nil
	}
	st := &b.req.Streams[len(b.req.Streams)-1]
	fields := make(map[string]string, len(st.Labels)+1+len(md))
	for i, l := range st.Labels {
		fields[b.keys[i]] = l.Value
	}
	fields[TimestampField] = time.Unix(0, unixNano).UTC().Format(time.RFC3339Nano)
	for _, m := range md {
		if m.Name == "" {
			return invalid(pos, n, "structured metadata with an empty name")
		}
		key := LabelPrefix + metadataKey(m.Name)
		if _, taken := fields[key]; !taken { // the stream's label wins
			fields[key] = m.Value
		}
	}
	b.req.Records = append(b.req.Records, ingest.Record{Data: line, Fields: fields})
	return nil
}

func (b *builder) discard(pos, n, size int) {
	b.req.Discarded++
	if b.req.DiscardErr == nil {
		b.req.DiscardErr = ingest.Errorf(ingest.Invalid, 0,
			"stream %d entry %d: max entry size %d bytes exceeded for stream %s while adding an entry with length %d bytes",
			pos, n, b.lim.MaxLineBytes, formatLabels(b.req.Streams[len(b.req.Streams)-1].Labels), size)
	}
}

// finish hands each stream its part of the records.
func (b *builder) finish() *Request {
	for i := range b.req.Streams {
		end := len(b.req.Records)
		if i+1 < len(b.req.Streams) {
			end = b.req.Streams[i+1].start
		}
		st := &b.req.Streams[i]
		st.Records = b.req.Records[st.start:end:end]
	}
	return &b.req
}

// invalid is an Invalid error at stream pos (1-based) and, when n > 0, its entry n.
func invalid(pos, n int, format string, args ...any) *ingest.Error {
	e := ingest.Errorf(ingest.Invalid, 0, format, args...)
	switch {
	case n > 0:
		e.Msg = "stream " + strconv.Itoa(pos) + " entry " + strconv.Itoa(n) + ": " + e.Msg
	case pos > 0:
		e.Msg = "stream " + strconv.Itoa(pos) + ": " + e.Msg
	}
	return e
}

func validLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// metadataKey makes a structured metadata name a single ECS key: anything but letters,
// digits and '_' (a dot would nest it) becomes '_', as Loki does with OTLP attributes.
func metadataKey(name string) string {
	if validLabelName(name) {
		return name
	}
	b := []byte(name)
	for i, c := range b {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
