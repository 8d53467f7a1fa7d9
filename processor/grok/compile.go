package grok

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on what one stream may ask of the compiler.
const (
	MaxPatternLen  = 16 << 10  // bytes of a pattern or a definition as written
	MaxExpandedLen = 128 << 10 // bytes of a pattern or a definition once its references are expanded
	MaxCaptures    = 128       // captures in one pattern, those of its references included
	MaxDepth       = 32        // nesting of references
	MaxDefinitions = 256       // per-stream definitions
	maxNameLen     = 64        // bytes of a definition's name
	maxTotal       = 1 << 20   // bytes expanded in all by one CompileAll
)

// Compile compiles one pattern; defs are the stream's own named patterns, which may refer to
// each other and to the Library, and replace library patterns of the same name. Every
// definition is checked, used or not. Errors are *CompileError.
func Compile(pattern string, defs map[string]string) (*Pattern, error) {
	ps, err := compileAll([]string{pattern}, defs)
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// CompileAll compiles patterns to be tried in order, sharing defs. An error is a
// *CompileError, wrapped with the index of the pattern when it is in one.
func CompileAll(patterns []string, defs map[string]string) (*Set, error) {
	ps, err := compileAll(patterns, defs)
	switch {
	case err == nil:
		return &Set{patterns: ps}, nil
	case err.Pattern >= 0:
		return nil, fmt.Errorf("pattern %d: %w", err.Pattern, err)
	}
	return nil, err
}

func compileAll(patterns []string, defs map[string]string) ([]*Pattern, *CompileError) {
	if len(patterns) == 0 {
		return nil, &CompileError{Pattern: -1, Msg: "no pattern"}
	}
	c := &compiler{defs: defs, lib: make(map[string]string), memo: make(map[string]expansion)}
	for _, d := range Library() {
		c.lib[d.Name] = d.Expr
	}
	if err := c.checkDefNames(); err != nil {
		err.Pattern = -1
		return nil, err
	}
	ps := make([]*Pattern, len(patterns))
	for i, expr := range patterns {
		p, err := c.pattern(expr)
		if err != nil {
			err.Pattern = i
			return nil, err
		}
		ps[i] = p
	}
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		if _, err := c.lookup(&source{def: name}, name, 0); err != nil {
			err.Pattern = -1
			return nil, err
		}
	}
	return ps, nil
}

// compiler expands the references of one CompileAll.
type compiler struct {
	defs  map[string]string
	lib   map[string]string
	memo  map[string]expansion
	stack []string  // names being expanded, outermost first
	caps  []capture // capture group cN sets caps[N]
	total int       // bytes expanded so far
}

type expansion struct {
	text string
	ncap int
}

func (c *compiler) checkDefNames() *CompileError {
	if len(c.defs) > MaxDefinitions {
		return &CompileError{Msg: fmt.Sprintf("more than %d definitions", MaxDefinitions)}
	}
	for _, name := range slices.Sorted(maps.Keys(c.defs)) {
		if name == "" || len(name) > maxNameLen || strings.IndexFunc(name, func(r rune) bool {
			return r >= utf8.RuneSelf || !isNameByte(byte(r))
		}) >= 0 {
			return &CompileError{Definition: name, Msg: fmt.Sprintf(
				"definition name %q: want 1 to %d letters, digits or underscores", name, maxNameLen)}
		}
	}
	return nil
}

func (c *compiler) pattern(expr string) (*Pattern, *CompileError) {
	if expr == "" {
		return nil, &CompileError{Msg: "empty pattern"}
	}
	s := &source{text: expr}
	if err := c.expand(s); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(string(s.out))
	if err != nil {
		return nil, s.syntaxError(err)
	}
	eng, err := newEngine(string(s.out), re)
	if err != nil { // regexp parsed the same text
		return nil, s.syntaxError(err)
	}
	p := &Pattern{expr: expr, eng: eng}
	for i, name := range re.SubexpNames() {
		if name == "" {
			continue
		}
		k, _ := strconv.Atoi(name[1:]) // names are ours: "c" and an index of caps
		p.groups = append(p.groups, group{index: i, capture: c.caps[k]})
	}
	return p, nil
}

// lookup returns the expansion of name, referred to from s at offset at.
func (c *compiler) lookup(s *source, name string, at int) (expansion, *CompileError) {
	if e, ok := c.memo[name]; ok {
		return e, nil
	}
	expr, isDef := c.defs[name]
	if !isDef {
		var ok bool
		if expr, ok = c.lib[name]; !ok {
			return expansion{}, s.errorf(at, "unknown pattern %s", name)
		}
	}
	if slices.Contains(c.stack, name) {
		return expansion{}, s.errorf(at, "pattern %s refers to itself: %s -> %s", name, strings.Join(c.stack, " -> "), name)
	}
	if len(c.stack) >= MaxDepth {
		return expansion{}, s.errorf(at, "references nest deeper than %d", MaxDepth)
	}
	c.stack = append(c.stack, name)
	sub := &source{def: name, text: expr}
	err := c.expand(sub)
	c.stack = c.stack[:len(c.stack)-1]
	if err == nil && isDef {
		if _, perr := syntax.Parse(string(sub.out), syntax.Perl); perr != nil {
			err = sub.syntaxError(perr)
		}
	}
	if err != nil {
		if !isDef && err.Definition == name {
			// The library is not the user's text: point at the reference to it.
			return expansion{}, s.errorf(at, "in library pattern %s: %s", name, err.Msg)
		}
		return expansion{}, err
	}
	e := expansion{text: string(sub.out), ncap: sub.ncap}
	c.memo[name] = e
	return e, nil
}

// syntaxError maps an error of the regexp parser back to the text s was expanded from.
func (s *source) syntaxError(err error) *CompileError {
	var serr *syntax.Error
	if !errors.As(err, &serr) {
		return s.errorf(0, "%v", err)
	}
	msg := serr.Code.String()
	if serr.Expr != "" && serr.Expr != string(s.out) {
		msg += ": " + strconv.Quote(serr.Expr)
	}
	return s.errorf(s.locate(serr), "%s", msg)
}

// locate finds where in s's text the parser stopped: the first place the offending
// expression occurs such that the expansion up to and including it, its groups closed, fails
// the same way.
func (s *source) locate(serr *syntax.Error) int {
	out := string(s.out)
	if serr.Expr == "" || serr.Expr == out {
		return 0
	}
	first := -1
	for from := 0; from < len(out); {
		i := strings.Index(out[from:], serr.Expr)
		if i < 0 {
			break
		}
		i += from
		if first < 0 {
			first = i
		}
		end := i + len(serr.Expr)
		var perr *syntax.Error
		if _, err := syntax.Parse(closeGroups(out[:end]), syntax.Perl); errors.As(err, &perr) && perr.Code == serr.Code {
			return s.srcOffset(i)
		}
		from = i + 1
	}
	if first < 0 {
		return 0
	}
	return s.srcOffset(first)
}

// closeGroups ends the character class, \Q quote and groups left open at the end of the
// regular expression prefix re.
func closeGroups(re string) string {
	depth, inClass := 0, false
	for i := 0; i < len(re); i++ {
		switch c := re[i]; {
		case c == '\\' && i+1 < len(re) && re[i+1] == 'Q' && !inClass:
			end := strings.Index(re[i+2:], `\E`)
			if end < 0 {
				return re + `\E` + strings.Repeat(")", depth)
			}
			i += 2 + end + 1
		case c == '\\':
			i++
		case inClass:
			if end := strings.Index(re[i:], ":]"); c == '[' && strings.HasPrefix(re[i:], "[:") && end > 0 {
				i += end + 1
			} else if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			if i+1 < len(re) && re[i+1] == '^' {
				i++
			}
			if i+1 < len(re) && re[i+1] == ']' {
				i++
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
	}
	if inClass {
		re += "]"
	}
	return re + strings.Repeat(")", max(depth, 0))
}
