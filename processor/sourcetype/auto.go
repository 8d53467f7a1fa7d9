package sourcetype

import (
	"bytes"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/timestamp"
)

// Auto is the name of the source type that picks one per line.
const Auto = "auto"

// AutoParser is the "auto" source type, for streams that mix formats: it picks a source type
// per line from the line's first bytes (Detect), sets it as the event's dataset, and parses
// the line with it. The types are looked up in Registry at each line, so types registered
// after it are found; a picked type that is not registered falls back to text.
//
// A line that the picked type fails to parse keeps its failure: the processor tags it
// _parse_failure and keeps the line as the message, with the dataset of the type that failed.
// Falling back to text instead would hide the lines that a parser (or Detect) gets wrong
// among the genuinely free-form ones; tagged, they can be found, counted and fixed, and
// nothing of the line is lost either way. Lines that match no shape are text, which never
// fails.
type AutoParser struct {
	Registry *Registry
}

var _ Partialer = AutoParser{}

// Parse parses line with the source type Detect picks.
func (a AutoParser) Parse(line []byte, d *ecs.Document, env *Env) error {
	name, p := a.pick(line)
	env.Dataset = name
	return p.Parse(line, d, env)
}

// Partial reports whether line is a partial container line, for the types that have them.
func (a AutoParser) Partial(line []byte) bool {
	_, p := a.pick(line)
	pp, ok := p.(Partialer)
	return ok && pp.Partial(line)
}

func (a AutoParser) pick(line []byte) (string, Parser) {
	name := Detect(line)
	if a.Registry != nil {
		if p, ok := a.Registry.Lookup(name); ok {
			return name, p
		}
	}
	return Text, TextParser{}
}

// Detect names the source type of line by cheap checks of its first bytes, without trying
// parsers:
//
//	{"log":"...                         docker (any other '{': json)
//	<pri>... or Mmm dd hh:mm:ss ...     syslog; sshd when the program is sshd, cef when the
//	                                    message is CEF
//	<RFC 3339> host prog[pid]: ...      the same (rsyslog's file format)
//	CEF:                                cef
//	<RFC 3339> stdout|stderr P|F ...    cri
//	[Www Mmm                            apache_error
//	yyyy/mm/dd hh:mm:ss [               nginx_error
//	host ident user [                   nginx_access (common and combined, of both servers)
//	vhost[:port] host ident user [      apache_access (vhost_combined)
//	key=value ...                       logfmt
//
// and text for anything else.
func Detect(line []byte) string {
	if len(line) == 0 {
		return Text
	}
	switch c := line[0]; {
	case c == '{':
		if bytes.HasPrefix(line, []byte(`{"log":"`)) {
			return Docker
		}
		return JSON
	case c == '<':
		if rest, ok := detectPRI(line); ok {
			return detectSyslog(rest)
		}
	case c == '[':
		if detectApacheError(line) {
			return ApacheError
		}
	case c == 'C' && bytes.HasPrefix(line, []byte("CEF:")):
		return CEF
	case detectDigit(c):
		if _, ok := scanCRI(line); ok {
			return CRI
		}
		if detectNginxError(line) {
			return NginxError
		}
		if detectISOSyslog(line) {
			return detectSyslog(line)
		}
	case detectBSDTime(line):
		return detectSyslog(line)
	}
	switch detectAccessFields(line) {
	case 3:
		return NginxAccess
	case 4:
		return ApacheAccess
	}
	if detectLogfmt(line) {
		return Logfmt
	}
	return Text
}

// detectPRI removes a syslog priority "<0>" to "<191>".
func detectPRI(line []byte) ([]byte, bool) {
	end := bytes.IndexByte(line[:min(len(line), 5)], '>')
	if end < 2 {
		return nil, false
	}
	pri, ok := atoi(line[1:end])
	return line[end+1:], ok && pri < 192
}

// detectSyslog tells sshd and CEF apart from other syslog messages by the program name. rest
// is the line after the priority.
func detectSyslog(rest []byte) string {
	if r, ok := bytes.CutPrefix(rest, []byte("1 ")); ok { // RFC 5424
		// TIMESTAMP HOSTNAME APP-NAME ...
		_, r, _ = bytes.Cut(r, []byte{' '})
		_, r, _ = bytes.Cut(r, []byte{' '})
		app, _, _ := bytes.Cut(r, []byte{' '})
		switch {
		case string(app) == "sshd":
			return SSHD
		case bytes.Contains(r, []byte(" CEF:")):
			return CEF
		}
		return Syslog
	}
	// RFC 3164: TIMESTAMP [HOSTNAME] TAG[pid]: MSG. The host name is missing in messages
	// from the local socket, whose first word after the time is the tag.
	_, n, ok := timestamp.ParsePrefix(rest, nil, 0)
	if !ok || n == len(rest) || rest[n] != ' ' {
		return Syslog
	}
	word, after, _ := bytes.Cut(rest[n+1:], []byte{' '})
	if !detectTag(word) {
		word, _, _ = bytes.Cut(after, []byte{' '})
	}
	switch {
	case bytes.HasPrefix(word, []byte("CEF:")):
		return CEF
	case string(detectProgram(word)) == "sshd":
		return SSHD
	}
	return Syslog
}

// detectISOSyslog reports whether line is a syslog line as rsyslog writes files by default:
// an RFC 3339 time, the host, and a tag. The tag is required, so that other lines that
// start with a time are not taken for syslog.
func detectISOSyslog(line []byte) bool {
	if len(line) < len("2006-01-02T15:04:05Z h p: ") || line[4] != '-' || line[10] != 'T' {
		return false
	}
	_, n, ok := timestamp.ParsePrefix(line, nil, 0)
	if !ok || n == len(line) || line[n] != ' ' {
		return false
	}
	_, rest, _ := bytes.Cut(line[n+1:], []byte{' '})
	tag, _, _ := bytes.Cut(rest, []byte{' '})
	return detectProgram(tag) != nil
}

// detectTag reports whether word ends like a syslog tag: "prog:" or "prog[pid]:".
func detectTag(word []byte) bool {
	return bytes.HasSuffix(word, []byte{':'})
}

// detectProgram returns the program name of a tag, or nil when the word is not one.
func detectProgram(tag []byte) []byte {
	if i := bytes.IndexByte(tag, '['); i >= 0 {
		if !bytes.HasSuffix(tag, []byte("]:")) {
			return nil
		}
		return tag[:i]
	}
	p, ok := bytes.CutSuffix(tag, []byte{':'})
	if !ok || len(p) == 0 {
		return nil
	}
	return p
}

// detectBSDTime reports whether line starts with "Mmm dd hh:mm:ss" (the day space-padded, or
// not padded at all) and a space.
func detectBSDTime(line []byte) bool {
	if len(line) < len("Jan 2 15:04:05 ") || detectMonth(line) == 0 || line[3] != ' ' {
		return false
	}
	i := 4
	if line[i] == ' ' {
		i++
	}
	for j := 0; j < 2 && i < len(line) && detectDigit(line[i]); j++ {
		i++
	}
	if i == 4 || i+9 >= len(line) || line[i] != ' ' {
		return false
	}
	return detectClock(line[i+1:]) && line[i+9] == ' '
}

// detectClock reports whether b starts with "hh:mm:ss".
func detectClock(b []byte) bool {
	return len(b) >= 8 && detectDigit(b[0]) && detectDigit(b[1]) && b[2] == ':' && detectDigit(b[3]) &&
		detectDigit(b[4]) && b[5] == ':' && detectDigit(b[6]) && detectDigit(b[7])
}

// detectMonth returns the month (1 to 12) whose English abbreviation starts line, or 0.
func detectMonth(line []byte) int {
	return detectAbbrev(line, "JanFebMarAprMayJunJulAugSepOctNovDec")
}

func detectAbbrev(line []byte, names string) int {
	if len(line) < 3 {
		return 0
	}
	for i := 0; i < len(names); i += 3 {
		if string(line[:3]) == names[i:i+3] {
			return i/3 + 1
		}
	}
	return 0
}

// detectApacheError reports whether line starts with "[Www Mmm ".
func detectApacheError(line []byte) bool {
	return len(line) > 9 && detectAbbrev(line[1:], "MonTueWedThuFriSatSun") > 0 && line[4] == ' ' &&
		detectMonth(line[5:]) > 0 && line[8] == ' '
}

// detectNginxError reports whether line starts with "yyyy/mm/dd hh:mm:ss [".
func detectNginxError(line []byte) bool {
	const shape = "dddd/dd/dd dd:dd:dd ["
	if len(line) < len(shape) {
		return false
	}
	for i := range len(shape) {
		if shape[i] == 'd' && !detectDigit(line[i]) || shape[i] != 'd' && line[i] != shape[i] {
			return false
		}
	}
	return true
}

// detectAccessFields returns how many space-separated words come before a "[time] \"" in line: 3
// in the common and combined formats, 4 in vhost_combined, 0 when it is neither.
func detectAccessFields(line []byte) int {
	for n := 0; n <= 4; n++ {
		if len(line) > 0 && line[0] == '[' {
			end := bytes.IndexByte(line, ']')
			if n < 3 || end < 0 || !bytes.HasPrefix(line[end+1:], []byte(` "`)) {
				return 0
			}
			return n
		}
		i := bytes.IndexByte(line, ' ')
		if i <= 0 {
			return 0
		}
		line = line[i+1:]
	}
	return 0
}

// detectLogfmt reports whether line starts with key=value, the key made of letters, digits,
// '_', '.', '-' and '@'.
func detectLogfmt(line []byte) bool {
	for i, c := range line {
		switch {
		case c == '=':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', detectDigit(c), c == '_', c == '.', c == '-', c == '@':
		default:
			return false
		}
	}
	return false
}

func detectDigit(c byte) bool { return c >= '0' && c <= '9' }
