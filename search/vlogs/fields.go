package vlogs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/VictoriaMetrics/VictoriaLogs/lib/logstorage"

	"github.com/trolly-logs/trolly/internal/jsonstr"
	"github.com/trolly-logs/trolly/search/query"
)

// How an ECS document is stored as the engine's fields:
//
//   - message is _msg, the engine's message field, and @timestamp is _time;
//   - every other value is a field named by its dotted path: "f.<path>" for the event's
//     content, "b.<path>" for Trolly's bookkeeping (bookkeeping below). A word without a
//     field searches _msg and f.*, so that the record number in event.id, the tenant's id
//     or the digits of event.ingested never match it;
//   - the engine keeps strings only, and drops empty ones: the "b.shape" field lists the
//     paths whose JSON value was no non-empty string (kinds below), so that the document
//     comes back as it was written, keys in sorted order.
const (
	msgField   = "_msg"
	timeField  = "_time"
	content    = "f."
	bookkeep   = "b."
	shapeField = "b.shape"
	// idField holds the doc's id; a source whose event.id differs keeps that in srcIDField.
	idField    = "b.event.id"
	srcIDField = "b.srcid"
	// restField holds, as a JSON object, the top-level members whose key could not be a
	// path (empty, or holding '.' or a newline).
	restField = "b.rest"
	// caseField holds the words that lowering the event's text makes, which the text
	// itself does not hold (Error: error), so that a search for a word in any case can
	// skip, by the field's bloom filters, the blocks that cannot hold it.
	caseField = "b.lc"
)

// Kinds of b.shape entries, each a kind byte and a path, separated by '\n'.
const (
	kindNumber = 'n' // a JSON number, stored as its text
	kindBool   = 't' // true or false
	kindNull   = 'z' // null, not stored
	kindEmpty  = 'e' // "", not stored
	kindArray  = 'a' // an array, stored as its JSON text
	kindObject = 'o' // an object stored as its JSON text: empty, or with keys that are no path
	kindNoID   = 'x' // the source had no event.id (the path is empty)
)

// column returns the engine's field of an ECS path.
func column(path string) string {
	switch {
	case path == "message":
		return msgField
	case query.Bookkeeping(path):
		return bookkeep + path
	}
	return content + path
}

// plainKey reports whether a key can be a step of a dotted path.
func plainKey(k string) bool { return k != "" && !strings.ContainsAny(k, ".\n") }

// flattener turns documents into the engine's fields, reusing its buffers. It reads the
// JSON in one pass, with the scanner helpers of internal/jsonstr, once json.Valid passed.
type flattener struct {
	fields []logstorage.Field
	shape  []byte
	rest   []byte // restField's object
	buf    []byte
	keys   []string
	id     string
	sawID  bool
	lower  map[string]bool // words made by lowering the text
}

// flatten returns the fields of doc, valid until the next call. id is the doc's id.
func (fl *flattener) flatten(id string, source []byte) ([]logstorage.Field, error) {
	if !isObject(source) {
		return nil, fmt.Errorf("source of %s: not a JSON object", id)
	}
	return fl.flattenObject(id, source)
}

// isObject reports whether source is valid JSON holding an object.
func isObject(source []byte) bool {
	i := skipSpace(source, 0)
	return i < len(source) && source[i] == '{' && json.Valid(source)
}

// flattenObject is flatten of a source that isObject accepted: validating JSON costs as
// much as reading it, and Write checks every document before it adds any.
func (fl *flattener) flattenObject(id string, source []byte) ([]logstorage.Field, error) {
	fl.fields, fl.shape, fl.rest, fl.id, fl.sawID = fl.fields[:0], fl.shape[:0], fl.rest[:0], id, false
	i := skipSpace(source, 0)
	fl.add(idField, id)
	if !fl.object(source, i, "") {
		return fl.slow(id, source)
	}
	if !fl.sawID {
		fl.kind(kindNoID, "")
	}
	if len(fl.rest) > 0 {
		fl.add(restField, string(append(fl.rest, '}')))
	}
	if len(fl.shape) > 0 {
		fl.add(shapeField, string(fl.shape))
	}
	if lc := fl.caseWords(); lc != "" {
		fl.add(caseField, lc)
	}
	return fl.fields, nil
}

// caseWords returns the words that lowering the text of the event (the message and the
// content) makes, sorted and separated by spaces: for each word of the text that lowering
// changes, the words of its lowered form.
func (fl *flattener) caseWords() string {
	clear(fl.lower)
	for _, f := range fl.fields {
		if f.Name != msgField && !strings.HasPrefix(f.Name, content) || !mayLower(f.Value) {
			continue
		}
		if lowersIntoWord(f.Value) {
			fl.lowerWords(strings.ToLower(f.Value), f.Value) // rare: lower the whole text
			continue
		}
		for w := range words(f.Value) {
			if !mayLower(w) {
				continue
			}
			fl.buf = appendLower(fl.buf[:0], w)
			if string(fl.buf) != w && !fl.lower[string(fl.buf)] {
				fl.lowerWords(string(fl.buf), w)
			}
		}
	}
	if len(fl.lower) == 0 {
		return ""
	}
	return strings.Join(slices.Sorted(maps.Keys(fl.lower)), " ")
}

// lowerWords records the words of lowered that are not the word was.
func (fl *flattener) lowerWords(lowered, was string) {
	if fl.lower == nil {
		fl.lower = map[string]bool{}
	}
	for w := range words(lowered) {
		if w != was {
			fl.lower[w] = true
		}
	}
}

func appendLower(dst []byte, s string) []byte {
	for _, r := range s {
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// lowersIntoWord reports whether s holds a character outside words whose lower case is a
// word character, which would join words once lowered.
func lowersIntoWord(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && !query.IsWordRune(r) {
			if l := unicode.ToLower(r); l != r && query.IsWordRune(l) {
				return true
			}
		}
	}
	return false
}

// mayLower reports whether lowering s may change it: it holds an upper-case ASCII letter
// or a character beyond ASCII.
func mayLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// words yields the words of s as the engine's tokenizer cuts them: runs of letters,
// digits and '_'.
func words(s string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		start := -1
		for i, r := range s {
			if query.IsWordRune(r) {
				if start < 0 {
					start = i
				}
				continue
			}
			if start >= 0 && !yield(s[start:i]) {
				return
			}
			start = -1
		}
		if start >= 0 {
			yield(s[start:])
		}
	}
}

// slow flattens a document whose objects repeat a key, as encoding/json reads it: the last
// value of a key wins.
func (fl *flattener) slow(id string, source []byte) ([]logstorage.Field, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(source))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("source of %s: %w", id, err)
	}
	b, err := json.Marshal(doc) // one value per key
	if err != nil {
		return nil, fmt.Errorf("source of %s: %w", id, err)
	}
	return fl.flatten(id, b)
}

// members calls f with each member of the object at b[i] ('{'): its key, unescaped, and
// where its value starts. It returns false, having called f for no member, when a key
// repeats.
func (fl *flattener) members(b []byte, i int, f func(key string, v int)) bool {
	type member struct {
		key string
		v   int
	}
	var ms []member
	for i = skipSpace(b, i+1); i < len(b) && b[i] == '"'; {
		end, escaped := jsonstr.EndString(b, i)
		raw := b[i+1 : end-1]
		key := string(raw)
		if escaped {
			key = string(jsonstr.AppendUnescaped(nil, raw))
		}
		i = skipSpace(b, end)
		v := skipSpace(b, i+1) // past ':'
		for _, m := range ms {
			if m.key == key {
				return false
			}
		}
		ms = append(ms, member{key, v})
		i = skipSpace(b, jsonstr.Skip(b, v))
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	for _, m := range ms {
		f(m.key, m.v)
	}
	return true
}

// object stores the members of the object at b[i] under prefix ("" for the document).
func (fl *flattener) object(b []byte, i int, prefix string) bool {
	ok := true
	return fl.members(b, i, func(key string, v int) {
		if !ok {
			return
		}
		if prefix == "" && !plainKey(key) {
			fl.restMember(key, b[v:jsonstr.Skip(b, v)])
			return
		}
		ok = fl.value(b, v, prefix+key)
	}) && ok
}

func (fl *flattener) restMember(key string, raw []byte) {
	if len(fl.rest) == 0 {
		fl.rest = append(fl.rest, '{')
	} else {
		fl.rest = append(fl.rest, ',')
	}
	k, _ := json.Marshal(key)
	fl.rest = append(append(append(fl.rest, k...), ':'), compact(raw)...)
}

func (fl *flattener) add(name, value string) {
	fl.fields = append(fl.fields, logstorage.Field{Name: name, Value: value})
}

func (fl *flattener) kind(k byte, path string) {
	if len(fl.shape) > 0 {
		fl.shape = append(fl.shape, '\n')
	}
	fl.shape = append(append(fl.shape, k), path...)
}

// value stores the JSON value at b[i] at path; false means a repeated key inside it.
func (fl *flattener) value(b []byte, i int, path string) bool {
	end := jsonstr.Skip(b, i)
	raw := b[i:end]
	if path == "event.id" {
		fl.sawID = true
		if raw[0] != '"' || fl.str(raw) != fl.id {
			fl.add(srcIDField, compact(raw))
		}
		return true // idField holds the doc's id
	}
	switch raw[0] {
	case '"':
		if s := fl.str(raw); s != "" {
			fl.add(column(path), s)
		} else {
			fl.kind(kindEmpty, path)
		}
	case '{':
		plain, members := true, 0
		if !fl.members(b, i, func(key string, _ int) {
			members++
			plain = plain && plainKey(key)
		}) {
			return false
		}
		if members == 0 || !plain {
			fl.kind(kindObject, path)
			fl.add(column(path), compact(raw))
			return true
		}
		return fl.object(b, i, path+".")
	case '[':
		fl.kind(kindArray, path)
		fl.add(column(path), compact(raw))
	case 't', 'f':
		fl.kind(kindBool, path)
		fl.add(column(path), string(raw))
	case 'n':
		fl.kind(kindNull, path)
	default:
		fl.kind(kindNumber, path)
		fl.add(column(path), string(raw))
	}
	return true
}

// str returns the content of the JSON string raw, unescaped.
func (fl *flattener) str(raw []byte) string {
	content := raw[1 : len(raw)-1]
	if bytes.IndexByte(content, '\\') < 0 {
		return string(content)
	}
	fl.buf = jsonstr.AppendUnescaped(fl.buf[:0], content)
	return string(fl.buf)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// compact returns raw without the spaces between its tokens.
func compact(raw []byte) string {
	if bytes.IndexAny(raw, " \t\n\r") < 0 {
		return string(raw)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// unflatten rebuilds the document from the fields of one stored row.
func unflatten(fields map[string]string) ([]byte, error) {
	kinds := map[string]byte{}
	hasID := true
	for entry := range strings.SplitSeq(fields[shapeField], "\n") {
		if entry == "" {
			continue
		}
		if entry[0] == kindNoID {
			hasID = false
			continue
		}
		kinds[entry[1:]] = entry[0]
	}
	doc := map[string]any{}
	set := func(path string, v any) error {
		keys := strings.Split(path, ".")
		m := doc
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				if _, taken := m[k]; taken {
					return fmt.Errorf("path %s crosses a value", path)
				}
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[keys[len(keys)-1]] = v
		return nil
	}
	for name, v := range fields {
		var path string
		switch {
		case name == msgField:
			path = "message"
		case name == idField:
			if !hasID {
				continue
			}
			if src, ok := fields[srcIDField]; ok {
				if err := set("event.id", json.RawMessage(src)); err != nil {
					return nil, err
				}
				continue
			}
			path = "event.id"
		case name == shapeField || name == srcIDField || name == restField || name == caseField:
			continue
		case strings.HasPrefix(name, content):
			path = name[len(content):]
		case strings.HasPrefix(name, bookkeep):
			path = name[len(bookkeep):]
		default:
			continue // the engine's own fields: _time, _stream, _stream_id
		}
		var val any = v
		switch kinds[path] {
		case kindNumber, kindBool, kindArray, kindObject:
			val = json.RawMessage(v)
		}
		if err := set(path, val); err != nil {
			return nil, err
		}
	}
	for path, k := range kinds {
		switch k {
		case kindNull:
			if err := set(path, nil); err != nil {
				return nil, err
			}
		case kindEmpty:
			if err := set(path, ""); err != nil {
				return nil, err
			}
		}
	}
	if rest, ok := fields[restField]; ok {
		var members map[string]json.RawMessage
		if err := json.Unmarshal([]byte(rest), &members); err != nil {
			return nil, fmt.Errorf("%s: %w", restField, err)
		}
		for k, v := range members {
			doc[k] = v
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}
