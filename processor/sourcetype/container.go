package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/timestamp"
)

// Names of the container log source types.
const (
	Docker = "docker"
	CRI    = "cri"
)

// Partialer is implemented by source types whose runtimes split long lines: Partial reports
// whether a record's line is such a piece, to be joined with the records after it (by '\n',
// up to and including the first one that is not partial) before Parse.
type Partialer interface {
	Partial(line []byte) bool
}

// DockerParser is the "docker" source type: lines of Docker's json-file log driver,
//
//	{"log":"text\n","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}
//
// The log text, its end of line removed, is the message; the stream is kept as "stream" (as
// Elastic's container input names it), the time is the event's time, and attrs (labels and
// environment chosen with --log-opt) go to docker.attrs. Any other key is kept as the json
// type would keep it. A record may hold several lines joined by '\n', all but the last
// partial: their texts are joined, and the stream and time are the first line's.
type DockerParser struct{}

// dockerLine is what one json-file line holds; values are raw JSON string contents.
type dockerLine struct {
	raw               []byte // the line
	log, stream, time []byte
	escaped           [3]bool // log, stream and time hold escapes
	extra             bool    // keys other than log, stream and time
}

var _ Partialer = DockerParser{}

// Partial reports whether line is a json-file line whose log does not end a line: Docker
// splits lines longer than 16 KiB.
func (DockerParser) Partial(line []byte) bool {
	if i := bytes.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	l, err := scanDocker(line)
	return err == nil && !dockerEndsWithNewline(l.log)
}

// Parse sets the message, stream, time and attributes.
func (DockerParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	first, msg, err := joinDocker(d, line)
	if err != nil {
		return err
	}
	msg = bytes.TrimSuffix(msg, []byte{'\n'})
	d.SetMessage(bytes.TrimSuffix(msg, []byte{'\r'}))
	if len(first.stream) > 0 {
		d.SetBytes("stream", jsonStringValue(d, first.stream, first.escaped[1]))
	}
	if first.extra {
		if err := mergeDockerExtra(d, first.raw); err != nil {
			return err
		}
	}
	if len(first.time) == 0 {
		return nil
	}
	t := jsonStringValue(d, first.time, first.escaped[2])
	ns, ok := timestamp.Parse(t, env.Loc(), env.Received)
	if !ok {
		return badTimestamp("docker: time %s is not an RFC 3339 time", quote(t))
	}
	d.SetTimestamp(ns)
	return nil
}

// joinDocker reads the lines of a record and joins their log texts into d's arena.
func joinDocker(d *ecs.Document, line []byte) (first dockerLine, msg []byte, err error) {
	n := 0
	msg = d.Append(func(dst []byte) []byte {
		for piece := range bytes.SplitSeq(line, []byte{'\n'}) {
			if len(bytes.TrimSpace(piece)) == 0 {
				continue
			}
			var l dockerLine
			if l, err = scanDocker(piece); err != nil {
				return dst
			}
			if n == 0 {
				first = l
			}
			n++
			if l.escaped[0] {
				dst = unquoteJSONLike(dst, l.log)
			} else {
				dst = append(dst, l.log...)
			}
		}
		return dst
	})
	if err == nil && n == 0 {
		err = noMatch(nil, "docker: the record is empty")
	}
	return first, msg, err
}

// dockerEndsWithNewline reports whether the raw JSON string s ends with the escape \n.
func dockerEndsWithNewline(s []byte) bool {
	if len(s) < 2 || s[len(s)-1] != 'n' {
		return false
	}
	slashes := 0
	for i := len(s) - 2; i >= 0 && s[i] == '\\'; i-- {
		slashes++
	}
	return slashes%2 == 1
}

// scanDocker reads one json-file line. Values of other keys are skipped, not checked:
// mergeDockerExtra checks them.
func scanDocker(line []byte) (l dockerLine, err error) {
	s := jsonScanner{b: line}
	l.raw = line
	if !s.eat('{') {
		return l, noMatch(nil, "docker: the line is not a JSON object")
	}
	hasLog := false
	for i := 0; !s.eat('}'); i++ {
		if i > 0 && !s.eat(',') {
			return l, s.fail("',' or '}'")
		}
		key, _, ok := s.str()
		if !ok || !s.eat(':') {
			return l, s.fail("a key")
		}
		var dst *[]byte
		var k int
		switch string(key) {
		case "log":
			dst, k, hasLog = &l.log, 0, true
		case "stream":
			dst, k = &l.stream, 1
		case "time":
			dst, k = &l.time, 2
		default:
			l.extra = true
			if _, ok := s.value(); !ok {
				return l, s.fail("a value")
			}
			continue
		}
		v, escaped, ok := s.str()
		if !ok {
			return l, noMatch(nil, "docker: %s is not a string", key)
		}
		*dst, l.escaped[k] = v, escaped
	}
	if s.skipSpace(); s.i != len(line) {
		return l, s.fail("the end of the line")
	}
	if !hasLog {
		return l, noMatch(nil, "docker: the object has no log")
	}
	return l, nil
}

// jsonStringValue returns a raw JSON string content decoded, into d's arena when it holds
// escapes.
func jsonStringValue(d *ecs.Document, raw []byte, escaped bool) []byte {
	if !escaped {
		return raw
	}
	return d.Append(func(dst []byte) []byte { return unquoteJSONLike(dst, raw) })
}

// mergeDockerExtra keeps the keys of a line other than log, stream and time, attrs under
// docker.attrs. It writes them as one JSON object for MergeJSON, which checks the values
// scanDocker skipped and interns their keys.
func mergeDockerExtra(d *ecs.Document, line []byte) error {
	obj := d.Append(func(dst []byte) []byte {
		s := jsonScanner{b: line}
		s.eat('{')
		dst = append(dst, '{')
		n := 0
		for !s.eat('}') && s.i < len(line) {
			s.eat(',')
			rawKey, _, _ := s.str()
			s.eat(':')
			start := s.skipSpace()
			s.value()
			switch string(rawKey) {
			case "log", "stream", "time":
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			if string(rawKey) == "attrs" {
				dst = append(dst, `"docker.attrs"`...)
			} else {
				dst = append(append(append(dst, '"'), rawKey...), '"')
			}
			dst = append(dst, ':')
			dst = append(dst, line[start:s.i]...)
		}
		return append(dst, '}')
	})
	if err := d.MergeJSON(obj); err != nil {
		return noMatch(err, "docker: %v", err)
	}
	return nil
}

// CRIParser is the "cri" source type: lines that container runtimes of Kubernetes
// (containerd, CRI-O) write,
//
//	2016-10-06T00:17:09.669794202Z stdout F log content
//
// The content is the message, the stream is kept as "stream" and the time is the event's
// time. The tag P marks a partial line, F a full one (or the last piece of a long one). A
// record may hold several lines joined by '\n', all but the last partial: their contents are
// joined, and the stream and time are the first line's.
type CRIParser struct{}

var _ Partialer = CRIParser{}

// criLine is one CRI line.
type criLine struct {
	time, stream, content []byte
	partial               bool
}

// Partial reports whether line is a CRI line tagged P.
func (CRIParser) Partial(line []byte) bool {
	if i := bytes.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	l, ok := scanCRI(line)
	return ok && l.partial
}

// Parse sets the message, stream and time.
func (CRIParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	first, ok := scanCRI(criFirstLine(line))
	if !ok {
		return noMatch(nil, "cri: the line is not \"<RFC 3339 time> <stdout|stderr> <P|F> <content>\"")
	}
	ns, ok := timestamp.Parse(first.time, env.Loc(), env.Received)
	if !ok {
		return noMatch(nil, "cri: %s is not an RFC 3339 time", quote(first.time))
	}
	msg := first.content
	if len(criFirstLine(line)) < len(line) {
		var bad []byte
		msg = d.Append(func(dst []byte) []byte {
			for piece := range bytes.SplitSeq(line, []byte{'\n'}) {
				piece = bytes.TrimSuffix(piece, []byte{'\r'})
				if len(piece) == 0 {
					continue
				}
				l, ok := scanCRI(piece)
				if !ok {
					bad = piece
					return dst
				}
				dst = append(dst, l.content...)
			}
			return dst
		})
		if bad != nil {
			return noMatch(nil, "cri: joined line %s is not a CRI line", quote(bad))
		}
	}
	d.SetMessage(msg)
	d.SetBytes("stream", first.stream)
	d.SetTimestamp(ns)
	return nil
}

func criFirstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return bytes.TrimSuffix(b[:i], []byte{'\r'})
	}
	return b
}

// scanCRI splits a CRI line. The tag may carry more tags after a ':', which no runtime
// writes yet.
func scanCRI(line []byte) (l criLine, ok bool) {
	var rest []byte
	l.time, rest, ok = bytes.Cut(line, []byte{' '})
	if !ok || len(l.time) < len("2006-01-02T15:04:05Z") || l.time[4] != '-' {
		return l, false
	}
	l.stream, rest, ok = bytes.Cut(rest, []byte{' '})
	if !ok || (string(l.stream) != "stdout" && string(l.stream) != "stderr") {
		return l, false
	}
	tag, content, _ := bytes.Cut(rest, []byte{' '})
	if len(tag) == 0 || (tag[0] != 'P' && tag[0] != 'F') || (len(tag) > 1 && tag[1] != ':') {
		return l, false
	}
	l.partial, l.content = tag[0] == 'P', content
	return l, true
}
