package otlp

import (
	"bytes"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/trolly-logs/trolly/internal/jsonstr"
)

// Field numbers on the path from an ExportLogsServiceRequest to its log records.
const (
	fieldResourceLogs protowire.Number = 1 // ExportLogsServiceRequest.resource_logs
	fieldScopeLogs    protowire.Number = 2 // ResourceLogs.scope_logs
	fieldLogRecords   protowire.Number = 2 // ScopeLogs.log_records
)

// countPB counts the log records of a protobuf ExportLogsServiceRequest by walking its
// wire format, without allocating, and stops past limit (0 for none): decoding a request of
// millions of two-byte records costs hundreds of bytes each. Malformed input is counted as
// far as it goes; proto.Unmarshal reports it.
func countPB(b []byte, limit int) int {
	n := 0
	eachField(b, fieldResourceLogs, func(rl []byte) bool {
		eachField(rl, fieldScopeLogs, func(sl []byte) bool {
			eachField(sl, fieldLogRecords, func([]byte) bool {
				n++
				return limit <= 0 || n <= limit
			})
			return limit <= 0 || n <= limit
		})
		return limit <= 0 || n <= limit
	})
	return n
}

// eachField calls fn with the value of each length-delimited field num of message b, until
// fn returns false or b ends or is malformed.
func eachField(b []byte, num protowire.Number, fn func([]byte) bool) {
	for len(b) > 0 {
		n, typ, size := protowire.ConsumeTag(b)
		if size < 0 {
			return
		}
		b = b[size:]
		if n == num && typ == protowire.BytesType {
			v, size := protowire.ConsumeBytes(b)
			if size < 0 || !fn(v) {
				return
			}
			b = b[size:]
			continue
		}
		size = protowire.ConsumeFieldValue(n, typ, b)
		if size < 0 {
			return
		}
		b = b[size:]
	}
}

// countJSON counts the log records of a JSON ExportLogsServiceRequest that json.Valid has
// accepted, and stops past limit (0 for none). It reads the fields by their JSON and proto
// names, as protojson does; what it cannot follow it skips, for protojson to report.
func countJSON(b []byte, limit int) int {
	s := jscan{b: b}
	n := 0
	more := func() bool { return limit <= 0 || n <= limit }
	s.fields("resourceLogs", "resource_logs", func() bool {
		return s.elements(func() bool {
			return s.fields("scopeLogs", "scope_logs", func() bool {
				return s.elements(func() bool {
					return s.fields("logRecords", "log_records", func() bool {
						return s.elements(func() bool {
							n++
							s.skip()
							return more()
						})
					})
				})
			})
		})
	})
	return n
}

// jscan walks valid JSON without allocating.
type jscan struct {
	b []byte
	i int
}

func (s *jscan) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *jscan) peek() byte {
	s.space()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// fields walks the object at s and calls fn at the value of key name or alt, which fn must
// consume; other values are skipped. A value that is not an object is skipped. It returns
// false when fn did.
func (s *jscan) fields(name, alt string, fn func() bool) bool {
	if s.peek() != '{' {
		s.skip()
		return true
	}
	s.i++
	for {
		switch s.peek() {
		case '}':
			s.i++
			return true
		case 0: // the end: the input was not valid JSON
			return true
		case ',':
			s.i++
			continue
		}
		key := s.str()
		s.peek()
		s.i++ // :
		if keyIs(key, name, alt) {
			if !fn() {
				return false
			}
		} else {
			s.skip()
		}
	}
}

// elements calls fn at each element of the array at s, which fn must consume; a value that
// is not an array is skipped. It returns false when fn did.
func (s *jscan) elements(fn func() bool) bool {
	if s.peek() != '[' {
		s.skip()
		return true
	}
	s.i++
	for {
		switch s.peek() {
		case ']':
			s.i++
			return true
		case 0:
			return true
		case ',':
			s.i++
			continue
		}
		if !fn() {
			return false
		}
	}
}

// str consumes a string and returns it quoted, as written.
func (s *jscan) str() []byte {
	start := s.i
	s.i, _ = jsonstr.EndString(s.b, s.i)
	return s.b[start:s.i]
}

// skip consumes one value.
func (s *jscan) skip() {
	s.peek()
	s.i = jsonstr.Skip(s.b, s.i)
}

// keyIs reports whether the quoted key q is name or alt, unescaping it when it holds
// escapes (a sender may write "resource\u004cogs").
func keyIs(q []byte, name, alt string) bool {
	if len(q) < 2 {
		return false
	}
	inner := q[1 : len(q)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name || string(inner) == alt
	}
	k := string(jsonstr.AppendUnescaped(nil, inner))
	return k == name || k == alt
}
