package sourcetype

import (
	"bytes"
	"strings"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/timestamp"
)

// Keys that name the message, the level and the time in logfmt and JSON lines, best first
// and separated by spaces. The json type looks at them only when the ECS field (message,
// log.level, @timestamp) is absent.
const (
	messageKeys = "message msg"
	levelKeys   = "level lvl severity loglevel"
	timeKeys    = "timestamp time ts"
	// logfmt has no ECS time key of its own: @timestamp is one more time key.
	logfmtTimeKeys = "@timestamp " + timeKeys
)

// keyRank returns the place of key among keys, counting from 1, or 0.
func keyRank(keys string, key []byte) int {
	for rank := 1; keys != ""; rank++ {
		k, rest, _ := strings.Cut(keys, " ")
		if string(key) == k {
			return rank
		}
		keys = rest
	}
	return 0
}

// Logfmt is the name of the logfmt source type.
const Logfmt = "logfmt"

// LogfmtParser is the "logfmt" source type: key=value pairs separated by spaces, as go-kit,
// logrus and Heroku write them. Values may be quoted, with JSON's escapes inside; a key without
// "=" is a flag and becomes true. Keys are paths as in JSON, so "http.method" nests.
//
// The message, level and time keys (msg, level, time and their synonyms) are moved to the
// message, log.level and the event's time rather than kept twice; a time that cannot be read
// stays where it was, and the record is tagged.
type LogfmtParser struct{}

// lfPair is one logfmt member: val is the raw text between the quotes when quoted.
type lfPair struct {
	key, val     []byte
	quoted, flag bool
}

// Parse sets a field per pair. A line that does not start with key=value, or that has an
// unterminated quote, is not logfmt.
func (LogfmtParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	first, _, err := lfNext(line, 0)
	if err != nil {
		return err
	}
	if first.flag || len(first.key) == 0 {
		return noMatch(nil, "logfmt: the line does not start with key=value")
	}
	var roles lfRoles
	n := 0
	for i := 0; ; n++ {
		p, next, err := lfNext(line, i)
		if err != nil {
			return err
		}
		if len(p.key) == 0 {
			break
		}
		roles.consider(n, &p)
		i = next
	}
	tsErr := roles.apply(d, env)
	if roles.fields(n) > 0 {
		obj := d.Append(func(dst []byte) []byte { return roles.appendObject(dst, line) })
		if err := d.MergeJSON(obj); err != nil {
			// appendObject writes valid JSON; a failure here is a bug, reported as a mismatch
			// rather than a crash.
			return noMatch(err, "logfmt: %v", err)
		}
	}
	return tsErr
}

// lfRole is the pair chosen for one role: its index and rank among the role's keys.
type lfRole struct {
	index, rank int
	pair        lfPair
}

// lfRoles picks the message, level and time pairs: the first pair of the best-ranked key.
type lfRoles struct {
	msg, level, time lfRole
	keepTime         bool // the time did not parse: keep its pair as a field
}

func (r *lfRoles) consider(n int, p *lfPair) {
	if p.flag {
		return
	}
	lfPick(&r.msg, n, p, messageKeys)
	if len(p.val) > 0 {
		lfPick(&r.level, n, p, levelKeys)
		lfPick(&r.time, n, p, logfmtTimeKeys)
	}
}

// lfPick makes p the role's pair if its key ranks better than the current one (rank 0 means
// none yet).
func lfPick(r *lfRole, n int, p *lfPair, keys string) {
	if rank := keyRank(keys, p.key); rank > 0 && (r.rank == 0 || rank < r.rank) {
		*r = lfRole{index: n, rank: rank, pair: *p}
	}
}

// apply sets the message, level and time, and reports an unusable time.
func (r *lfRoles) apply(d *ecs.Document, env *Env) error {
	if r.msg.rank > 0 {
		d.SetMessage(lfValue(d, &r.msg.pair))
	}
	if r.level.rank > 0 {
		d.SetBytes("log.level", lowerInArena(d, lfValue(d, &r.level.pair)))
	}
	if r.time.rank == 0 {
		return nil
	}
	v := lfValue(d, &r.time.pair)
	ns, ok := timestamp.Parse(v, env.Loc(), env.Received)
	if !ok {
		r.keepTime = true
		return badTimestamp("logfmt: %s %s is not a time", r.time.pair.key, quote(v))
	}
	d.SetTimestamp(ns)
	return nil
}

// fields returns how many of the n pairs become fields.
func (r *lfRoles) fields(n int) int {
	kept := 0
	for i := range n {
		if !r.moved(i) {
			kept++
		}
	}
	return kept
}

// appendObject writes the pairs that are not moved as one JSON object, which MergeJSON then
// turns into fields: it interns the keys, so keys read from the line cost no allocation.
func (r *lfRoles) appendObject(dst, line []byte) []byte {
	dst = append(dst, '{')
	n, written := 0, 0
	for i := 0; ; n++ {
		p, next, _ := lfNext(line, i)
		if len(p.key) == 0 {
			break
		}
		i = next
		if r.moved(n) {
			continue
		}
		if written > 0 {
			dst = append(dst, ',')
		}
		written++
		dst = appendJSONString(dst, p.key)
		dst = append(dst, ':')
		if p.flag {
			dst = append(dst, "true"...)
			continue
		}
		dst = append(dst, '"')
		dst = appendJSONEscaped(dst, p.val, p.quoted)
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

func (r *lfRoles) moved(n int) bool {
	return (r.msg.rank > 0 && r.msg.index == n) || (r.level.rank > 0 && r.level.index == n) ||
		(r.time.rank > 0 && r.time.index == n && !r.keepTime)
}

// lfNext scans the pair that starts at or after line[i]; a pair with an empty key means the
// end of the line.
func lfNext(line []byte, i int) (p lfPair, next int, err error) {
	for i < len(line) && line[i] <= ' ' {
		i++
	}
	start := i
	for i < len(line) && line[i] > ' ' && line[i] != '=' && line[i] != '"' {
		i++
	}
	p.key = line[start:i]
	switch {
	case i == len(line) || line[i] <= ' ':
		p.flag = len(p.key) > 0
		return p, i, nil
	case len(p.key) == 0:
		return p, i, noMatch(nil, "logfmt: unexpected %q at offset %d where a key was expected", line[i], i)
	case line[i] == '"':
		return p, i, noMatch(nil, "logfmt: unexpected '\"' in key %s", quote(p.key))
	}
	i++ // '='
	if i < len(line) && line[i] == '"' {
		return lfQuoted(line, i, p)
	}
	start = i
	for i < len(line) && line[i] > ' ' {
		i++
	}
	p.val = line[start:i]
	return p, i, nil
}

// lfQuoted scans the quoted value at line[i].
func lfQuoted(line []byte, i int, p lfPair) (lfPair, int, error) {
	start := i + 1
	for j := start; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case '"':
			if j+1 < len(line) && line[j+1] > ' ' {
				return p, j, noMatch(nil, "logfmt: no space after the quoted value of %s", quote(p.key))
			}
			p.val, p.quoted = line[start:j], true
			return p, j + 1, nil
		}
	}
	return p, len(line), noMatch(nil, "logfmt: unterminated quote in the value of %s", quote(p.key))
}

// lfValue returns the value of p, unescaped into d's arena when it holds escapes.
func lfValue(d *ecs.Document, p *lfPair) []byte {
	if !p.quoted || bytes.IndexByte(p.val, '\\') < 0 {
		return p.val
	}
	return d.Append(func(dst []byte) []byte { return unquoteJSONLike(dst, p.val) })
}
