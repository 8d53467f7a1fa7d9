package loki

import (
	"encoding/json"
	"errors"
	"math"

	"github.com/trolly-logs/trolly/ingest"
)

// DecodeJSON decodes the JSON form:
//
//	{"streams":[{"stream":{"label":"value"},"values":[["<unix ns>","line",{"metadata":"value"}]]}]}
//
// where the metadata object is optional. Lines without escapes share body's memory; the
// others are unescaped into one buffer per request.
func DecodeJSON(body []byte, lim Limits) (*Request, error) {
	if !json.Valid(body) {
		return nil, syntaxError(body)
	}
	s := scanner{b: body}
	s.space()
	if s.peek() != '{' {
		return nil, invalid(0, 0, "the body is not a JSON object")
	}
	// The last "streams" counts, as in encoding/json.
	var streams []byte
	_ = s.object(func(key []byte) error {
		start := s.i
		s.skip()
		if string(key) == "streams" {
			streams = s.b[start:s.i]
		}
		return nil
	})
	ss := scanner{b: streams}
	if len(streams) == 0 || ss.null() {
		return &Request{}, nil
	}
	if ss.peek() != '[' {
		return nil, invalid(0, 0, `"streams" is not an array`)
	}
	b := builder{lim: lim}
	pos := 0
	err := ss.array(func(int) error {
		pos++
		return b.jsonStream(&ss, pos)
	})
	if err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// syntaxError says where body stops being JSON.
func syntaxError(body []byte) error {
	var v json.RawMessage
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return ingest.Errorf(ingest.Invalid, 0, "the body is not valid JSON: %v (at byte %d)", se, se.Offset)
	}
	return ingest.Errorf(ingest.Invalid, 0, "the body is not valid JSON: %v", err)
}

// jsonStream adds one stream object; its labels may follow its values.
func (b *builder) jsonStream(s *scanner, pos int) error {
	if s.peek() != '{' {
		return invalid(pos, 0, "the stream is not a JSON object")
	}
	var labels []Label
	var values []byte
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "stream":
			var err error
			labels, err = s.pairs(labels[:0])
			if err != nil {
				return invalid(pos, 0, `"stream": %v`, err)
			}
		case "values":
			start := s.i
			s.skip()
			values = s.b[start:s.i]
		default:
			s.skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := b.stream(pos, labels); err != nil {
		return err
	}
	vs := scanner{b: values, arena: s.arena}
	defer func() { s.arena = vs.arena }()
	if len(values) == 0 || vs.null() {
		return nil
	}
	if vs.peek() != '[' {
		return invalid(pos, 0, `"values" is not an array`)
	}
	var md []Label
	return vs.array(func(i int) error {
		var err error
		md, err = b.jsonEntry(&vs, pos, i+1, md[:0])
		return err
	})
}

// jsonEntry adds one ["ts", "line", {metadata}] entry.
func (b *builder) jsonEntry(s *scanner, pos, n int, md []Label) ([]Label, error) {
	if s.peek() != '[' {
		return md, invalid(pos, n, "the entry is not an array")
	}
	var ts int64
	var line []byte
	count := 0
	err := s.array(func(i int) error {
		count++
		var err error
		switch i {
		case 0:
			ts, err = s.timestamp()
		case 1:
			if s.peek() != '"' {
				return errors.New("the line is not a string")
			}
			line = s.str()
		case 2:
			md, err = s.pairs(md)
			if err != nil {
				err = errors.New("structured metadata: " + err.Error())
			}
		default:
			err = errors.New("the entry has more than 3 elements")
		}
		return err
	})
	if err == nil && count < 2 {
		err = errors.New("the entry needs a timestamp and a line")
	}
	if err != nil {
		return md, invalid(pos, n, "%v", err)
	}
	return md, b.entry(pos, n, ts, line, md)
}

// timestamp reads a string of Unix nanoseconds.
func (s *scanner) timestamp() (int64, error) {
	if s.peek() != '"' {
		return 0, errors.New("the timestamp is not a string")
	}
	v := s.str()
	d := v
	neg := len(d) > 0 && d[0] == '-'
	if neg {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 19 {
		return 0, errInvalidTimestamp(v)
	}
	var n uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, errInvalidTimestamp(v)
		}
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxInt64 {
		return 0, errInvalidTimestamp(v)
	}
	if neg {
		return -int64(n), nil
	}
	return int64(n), nil
}

func errInvalidTimestamp(v []byte) error {
	return errors.New("timestamp " + string(quoteJSON(v)) + " is not an integer of Unix nanoseconds")
}

func quoteJSON(v []byte) []byte {
	q, _ := json.Marshal(string(v))
	return q
}

// pairs reads an object of strings (or null) into labels.
func (s *scanner) pairs(labels []Label) ([]Label, error) {
	if s.null() {
		return labels, nil
	}
	if s.peek() != '{' {
		return labels, errors.New("not a JSON object")
	}
	err := s.object(func(key []byte) error {
		if s.peek() != '"' {
			return errors.New("the value of " + string(quoteJSON(key)) + " is not a string")
		}
		name := string(key)
		labels = append(labels, Label{Name: name, Value: string(s.str())})
		return nil
	})
	return labels, err
}
