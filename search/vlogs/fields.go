package vlogs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	if p := columnPrefix(path); p != "" {
		return p + path
	}
	return msgField
}

// columnPrefix returns what prefixes path in its engine field, or "" for the message,
// which is _msg.
func columnPrefix(path string) string {
	switch {
	case path == "message":
		return ""
	case query.Bookkeeping(path):
		return bookkeep
	}
	return content
}

// plainKey reports whether a key can be a step of a dotted path.
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] == '.' || k[i] == '\n' {
			return false
		}
	}
	return k != ""
}

// flattener turns documents into the engine's fields, reusing its buffers. It reads the
// JSON in one pass, with the scanner helpers of internal/jsonstr, once it was found valid
// (isObject, or Doc.Validate for a doc marked Validated).
// The fields' names and values point into the document and into buf, without copies: the
// engine copies what it keeps (LogRows.MustAdd), and a buffer that grows leaves what it held
// in place for the strings that point there.
type flattener struct {
	fields []logstorage.Field
	shape  []byte
	rest   []byte // restField's object
	buf    []byte // names, unescaped strings and compacted JSON of the document
	path   []byte // the path of the value being read, dotted
	keys   []string
	id     string
	sawID  bool
	lower  []string // words made by lowering the text
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
	fl.fields, fl.shape, fl.rest, fl.buf, fl.path, fl.keys = fl.fields[:0], fl.shape[:0], fl.rest[:0], fl.buf[:0], fl.path[:0], fl.keys[:0]
	fl.id, fl.sawID = id, false
	fl.add(idField, id)
	if _, ok := fl.object(source, skipSpace(source, 0), true); !ok {
		return fl.slow(id, source)
	}
	if !fl.sawID {
		fl.kind(kindNoID, nil)
	}
	if len(fl.rest) > 0 {
		fl.rest = append(fl.rest, '}')
		fl.add(restField, unsafeString(fl.rest))
	}
	if len(fl.shape) > 0 {
		fl.add(shapeField, unsafeString(fl.shape))
	}
	if lc := fl.caseWords(); lc != "" {
		fl.add(caseField, lc)
	}
	return fl.fields, nil
}

// unsafeString is b as a string without a copy: b must not change while the string is used.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// saved is what object rolls back to when an object it read turns out to have a key that
// is no path, and is stored whole instead.
type saved struct {
	fields, shape int
	sawID         bool
}

// object stores the members of the object at b[i] ('{') under fl.path, and returns the
// index past it. top is the document itself, whose keys that are no path go to restField;
// an object inside with such a key is stored whole as its JSON text. ok is false when a
// key repeats in an object: the caller then reads the document as encoding/json does.
func (fl *flattener) object(b []byte, i int, top bool) (end int, ok bool) {
	keys0 := len(fl.keys)
	defer func() { fl.keys = fl.keys[:keys0] }()
	var many map[string]bool // the keys of a large object, where a scan would be quadratic
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		kend, escaped := jsonstr.EndString(b, i)
		key := unsafeString(b[i+1 : kend-1])
		if escaped {
			start := len(fl.buf)
			fl.buf = jsonstr.AppendUnescaped(fl.buf, b[i+1:kend-1])
			key = unsafeString(fl.buf[start:])
		}
		switch {
		case many != nil:
			if many[key] {
				return 0, false
			}
			many[key] = true
		case slices.Contains(fl.keys[keys0:], key):
			return 0, false
		case len(fl.keys)-keys0 == 32:
			many = make(map[string]bool, 64)
			for _, k := range fl.keys[keys0:] {
				many[k] = true
			}
			many[key] = true
		default:
			fl.keys = append(fl.keys, key)
		}
		v := skipSpace(b, skipSpace(b, kend)+1) // past ':'
		var vend int
		if !plainKey(key) {
			if !top {
				return -1, true // the caller stores the object whole
			}
			vend = jsonstr.Skip(b, v)
			fl.restMember(key, b[v:vend])
		} else {
			path0 := len(fl.path)
			fl.path = append(fl.path, key...)
			vend, ok = fl.value(b, v)
			fl.path = fl.path[:path0]
			if !ok {
				return 0, false
			}
		}
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return i + 1, true // past '}'
}

func (fl *flattener) restMember(key string, raw []byte) {
	if len(fl.rest) == 0 {
		fl.rest = append(fl.rest, '{')
	} else {
		fl.rest = append(fl.rest, ',')
	}
	k, _ := json.Marshal(key)
	fl.rest = append(append(fl.rest, k...), ':')
	fl.rest = appendCompact(fl.rest, raw)
}

func (fl *flattener) add(name, value string) {
	fl.fields = append(fl.fields, logstorage.Field{Name: name, Value: value})
}

// addValue adds the field of the current path.
func (fl *flattener) addValue(value string) {
	fl.add(fl.column(), value)
}

func (fl *flattener) kind(k byte, path []byte) {
	if len(fl.shape) > 0 {
		fl.shape = append(fl.shape, '\n')
	}
	fl.shape = append(append(fl.shape, k), path...)
}

// column returns the engine's field of the current path (column), in buf.
func (fl *flattener) column() string {
	prefix := columnPrefix(unsafeString(fl.path))
	if prefix == "" {
		return msgField
	}
	start := len(fl.buf)
	fl.buf = append(append(fl.buf, prefix...), fl.path...)
	return unsafeString(fl.buf[start:])
}

// value stores the JSON value at b[i] at fl.path, and returns the index past it; ok is
// false on a repeated key inside it.
func (fl *flattener) value(b []byte, i int) (end int, ok bool) {
	if string(fl.path) == "event.id" {
		fl.sawID = true
		end = jsonstr.Skip(b, i)
		raw := b[i:end]
		if raw[0] != '"' || fl.str(raw) != fl.id {
			start := len(fl.buf)
			fl.buf = appendCompact(fl.buf, raw)
			fl.add(srcIDField, unsafeString(fl.buf[start:]))
		}
		return end, true // idField holds the doc's id
	}
	switch b[i] {
	case '"':
		end, _ = jsonstr.EndString(b, i)
		if s := fl.str(b[i:end]); s != "" {
			fl.addValue(s)
		} else {
			fl.kind(kindEmpty, fl.path)
		}
	case '{':
		if j := skipSpace(b, i+1); j < len(b) && b[j] == '}' {
			end = j + 1
			fl.kind(kindObject, fl.path)
			fl.addValue("{}")
			return end, true
		}
		at := saved{len(fl.fields), len(fl.shape), fl.sawID}
		path0 := len(fl.path)
		fl.path = append(fl.path, '.')
		end, ok = fl.object(b, i, false)
		fl.path = fl.path[:path0]
		if !ok {
			return 0, false
		}
		if end < 0 { // a key that is no path: the object is stored whole
			fl.fields, fl.shape, fl.sawID = fl.fields[:at.fields], fl.shape[:at.shape], at.sawID
			end = jsonstr.Skip(b, i)
			fl.kind(kindObject, fl.path)
			fl.addValue(fl.compact(b[i:end]))
		}
	case '[':
		end = jsonstr.Skip(b, i)
		fl.kind(kindArray, fl.path)
		fl.addValue(fl.compact(b[i:end]))
	case 't', 'f':
		end = jsonstr.Skip(b, i)
		fl.kind(kindBool, fl.path)
		fl.addValue(unsafeString(b[i:end]))
	case 'n':
		end = jsonstr.Skip(b, i)
		fl.kind(kindNull, fl.path)
	default:
		end = jsonstr.Skip(b, i)
		fl.kind(kindNumber, fl.path)
		fl.addValue(unsafeString(b[i:end]))
	}
	return end, true
}

// str returns the content of the JSON string raw, unescaped.
func (fl *flattener) str(raw []byte) string {
	content := raw[1 : len(raw)-1]
	if bytes.IndexByte(content, '\\') < 0 {
		return unsafeString(content)
	}
	start := len(fl.buf)
	fl.buf = jsonstr.AppendUnescaped(fl.buf, content)
	return unsafeString(fl.buf[start:])
}

// compact returns raw without the spaces between its tokens.
func (fl *flattener) compact(raw []byte) string {
	if bytes.IndexAny(raw, " \t\n\r") < 0 {
		return unsafeString(raw)
	}
	start := len(fl.buf)
	fl.buf = appendCompact(fl.buf, raw)
	return unsafeString(fl.buf[start:])
}

// caseWords returns the words that lowering the text of the event (the message and the
// content) makes, sorted and separated by spaces: for each word of the text that lowering
// changes, the words of its lowered form.
func (fl *flattener) caseWords() string {
	fl.lower = fl.lower[:0]
	for _, f := range fl.fields {
		if f.Name != msgField && !strings.HasPrefix(f.Name, content) {
			continue
		}
		switch upper, ascii := letterCase(f.Value); {
		case ascii && !upper:
			continue
		case ascii:
			fl.asciiCaseWords(f.Value)
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
			start := len(fl.buf)
			fl.buf = appendLower(fl.buf, w)
			if lowered := unsafeString(fl.buf[start:]); lowered != w {
				fl.lowerWords(lowered, w)
			}
		}
	}
	if len(fl.lower) == 0 {
		return ""
	}
	slices.Sort(fl.lower)
	fl.lower = slices.Compact(fl.lower)
	start := len(fl.buf)
	for i, w := range fl.lower {
		if i > 0 {
			fl.buf = append(fl.buf, ' ')
		}
		fl.buf = append(fl.buf, w...)
	}
	return unsafeString(fl.buf[start:])
}

// letterCase reports whether s holds an upper-case ASCII letter, and whether it is ASCII.
func letterCase(s string) (upper, ascii bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return upper, false
		case 'A' <= c && c <= 'Z':
			upper = true
		}
	}
	return upper, true
}

// asciiCaseWords is the loop of caseWords for ASCII text, where lowering a word makes one
// word: the word in lower case, when it holds an upper-case letter.
func (fl *flattener) asciiCaseWords(s string) {
	start, upper := -1, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			c := s[i]
			if l := c | 0x20; 'a' <= l && l <= 'z' || '0' <= c && c <= '9' || c == '_' {
				if start < 0 {
					start, upper = i, false
				}
				upper = upper || c <= 'Z' && c >= 'A'
				continue
			}
		}
		if start >= 0 && upper {
			b := len(fl.buf)
			fl.buf = appendLower(fl.buf, s[start:i])
			fl.lower = append(fl.lower, unsafeString(fl.buf[b:]))
		}
		start = -1
	}
}

// lowerWords records the words of lowered that are not the word was.
func (fl *flattener) lowerWords(lowered, was string) {
	for w := range words(lowered) {
		if w != was {
			fl.lower = append(fl.lower, w)
		}
	}
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return appendLowerRunes(dst, s[i:])
		}
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func appendLowerRunes(dst []byte, s string) []byte {
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

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// appendCompact appends raw without the spaces between its tokens.
func appendCompact(dst, raw []byte) []byte {
	if bytes.IndexAny(raw, " \t\n\r") < 0 {
		return append(dst, raw...)
	}
	b := bytes.NewBuffer(dst)
	if err := json.Compact(b, raw); err != nil {
		return append(dst, raw...)
	}
	return b.Bytes()
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
