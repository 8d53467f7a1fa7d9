package pipeline

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"slices"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// Limits of a redact step.
const (
	maxRedactFields = 32
	maxPatterns     = 32
	maxPatternLen   = 1024
	maxMaskLen      = 64
	// DefaultMask replaces what a redact step finds, unless it names another.
	DefaultMask = "[REDACTED]"
)

// detector is a set of built-in detectors.
type detector uint8

const (
	detectEmail detector = 1 << iota
	detectCard
	detectBearer
	detectURLPassword
)

func detectorNamed(name string) (detector, bool) {
	switch name {
	case "email":
		return detectEmail, true
	case "credit_card":
		return detectCard, true
	case "bearer_token":
		return detectBearer, true
	case "url_password":
		return detectURLPassword, true
	}
	return 0, false
}

// redactStep masks secrets in the strings of fields.
type redactStep struct {
	fields   []string
	detect   detector
	patterns []pattern
	mask     []byte
	edit     func(dst, s []byte) ([]byte, bool) // s.redact, bound once
}

// pattern is a user's regular expression.
type pattern struct {
	re *regexp.Regexp
	// literal must occur in a text for re to match it: a cheap test before running re.
	literal []byte
	groups  bool
}

func compileRedact(c *compiler) (action, error) {
	var cfg struct {
		Fields   []string `json:"fields"`
		Builtins []string `json:"builtins"`
		Patterns []string `json:"patterns"`
		Mask     *string  `json:"mask"`
		If       string   `json:"if"`
	}
	if err := c.decode(&cfg, &cfg.If, false); err != nil {
		return nil, err
	}
	s := &redactStep{fields: cfg.Fields, mask: []byte(DefaultMask)}
	if cfg.Fields == nil {
		s.fields = []string{"message"}
	}
	if err := c.list("fields", len(s.fields), maxRedactFields); err != nil {
		return nil, err
	}
	for i, f := range s.fields {
		if err := c.writable(index("fields", i), f, false); err != nil {
			return nil, err
		}
	}
	for i, name := range cfg.Builtins {
		d, ok := detectorNamed(name)
		if !ok {
			return nil, c.fail(index("builtins", i), "unknown detector %q; one of bearer_token, credit_card, email, url_password", name)
		}
		s.detect |= d
	}
	if len(cfg.Patterns) > maxPatterns {
		return nil, c.fail("patterns", "%d entries, at most %d", len(cfg.Patterns), maxPatterns)
	}
	for i, expr := range cfg.Patterns {
		p, err := compilePattern(expr)
		if err != nil {
			return nil, c.fail(index("patterns", i), "%v", err)
		}
		s.patterns = append(s.patterns, p)
	}
	if s.detect == 0 && len(s.patterns) == 0 {
		return nil, c.fail("", "needs builtins, patterns or both")
	}
	if cfg.Mask != nil {
		if len(*cfg.Mask) > maxMaskLen {
			return nil, c.fail("mask", "%d bytes, at most %d", len(*cfg.Mask), maxMaskLen)
		}
		s.mask = []byte(*cfg.Mask)
	}
	s.edit = s.redact
	return s, nil
}

type patternError string

func (e patternError) Error() string { return string(e) }

func compilePattern(expr string) (pattern, error) {
	switch {
	case expr == "":
		return pattern{}, patternError("must not be empty")
	case len(expr) > maxPatternLen:
		return pattern{}, patternError("too long: at most 1024 bytes")
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return pattern{}, err
	}
	if re.MatchString("") {
		return pattern{}, patternError("matches the empty string, so it would mask nothing")
	}
	return pattern{re: re, literal: requiredLiteral(expr), groups: re.NumSubexp() > 0}, nil
}

// requiredLiteral returns the longest case-sensitive literal that every match of expr
// contains, as an element of its top-level concatenation; nil when there is none.
func requiredLiteral(expr string) []byte {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	var best []byte
	for _, sub := range subs {
		if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 && len(string(sub.Rune)) > len(best) {
			best = []byte(string(sub.Rune))
		}
	}
	return best
}

func (s *redactStep) apply(d *ecs.Document, r run) (Result, bool) {
	for _, f := range s.fields {
		d.EditStrings(f, s.edit)
	}
	return r.res, false
}

// span is a part of a text to mask.
type span struct{ start, end int }

// redact appends text with its secrets masked to dst; ok is false when it has none.
func (s *redactStep) redact(dst, text []byte) ([]byte, bool) {
	var buf [8]span
	spans := s.find(text, buf[:0])
	if len(spans) == 0 {
		return dst, false
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	at := 0 // text is written up to here
	for i := 0; i < len(spans); {
		start, end := spans[i].start, spans[i].end
		for i++; i < len(spans) && spans[i].start <= end; i++ {
			end = max(end, spans[i].end)
		}
		dst = append(dst, text[at:start]...)
		dst = append(dst, s.mask...)
		at = end
	}
	return append(dst, text[at:]...), true
}

// find appends the parts of text to mask.
func (s *redactStep) find(text []byte, out []span) []span {
	if s.detect&detectEmail != 0 {
		out = emailSpans(text, out)
	}
	if s.detect&detectCard != 0 {
		out = cardSpans(text, out)
	}
	if s.detect&detectBearer != 0 {
		out = bearerSpans(text, out)
		out = authorizationSpans(text, out)
	}
	if s.detect&detectURLPassword != 0 {
		out = urlPasswordSpans(text, out)
	}
	for i := range s.patterns {
		out = s.patterns[i].spans(text, out)
	}
	return out
}

func (p *pattern) spans(text []byte, out []span) []span {
	if p.literal != nil && !bytes.Contains(text, p.literal) {
		return out
	}
	for _, m := range p.re.FindAllSubmatchIndex(text, -1) {
		if !p.groups {
			if m[1] > m[0] {
				out = append(out, span{m[0], m[1]})
			}
			continue
		}
		for g := 2; g+1 < len(m); g += 2 {
			if m[g] >= 0 && m[g+1] > m[g] {
				out = append(out, span{m[g], m[g+1]})
			}
		}
	}
	return out
}
