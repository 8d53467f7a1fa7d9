package pipeline

import "bytes"

// The built-in detectors are hand-written scanners: each first looks for what a secret
// cannot lack ('@', "://", a keyword) with a fast substring search, so that texts without
// secrets cost little.

// emailSpans finds e-mail addresses: local@domain.tld, the '@' also URL-encoded as %40.
// The user and password of a URL ("scheme://user:pass@host") are no address.
func emailSpans(s []byte, out []span) []span {
	for i := 0; i < len(s); {
		at, size := nextAt(s, i)
		if at < 0 {
			break
		}
		i = at + size
		start := at
		for start > 0 && isLocalByte(s[start-1]) {
			start--
		}
		for start < at && s[start] == '.' {
			start++
		}
		end := domainEnd(s, at+size)
		if start == at || s[at-1] == '.' || end < 0 || inAuthority(s, at) {
			continue
		}
		out = append(out, span{start, end})
		i = end
	}
	return out
}

// nextAt returns the position and length of the next '@' or "%40" from i, or -1.
func nextAt(s []byte, i int) (int, int) {
	at := bytes.IndexByte(s[i:], '@')
	enc := bytes.Index(s[i:], []byte("%40"))
	switch {
	case at < 0 && enc < 0:
		return -1, 0
	case enc < 0 || at >= 0 && at < enc:
		return i + at, 1
	}
	return i + enc, 3
}

func isLocalByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// domainEnd returns the end of the domain starting at i: labels of letters, digits and
// '-' (not at their ends) joined by dots, the last of two letters or more; -1 when there
// is none.
func domainEnd(s []byte, i int) int {
	end, dots := -1, 0
	for label := i; ; {
		j := label
		for j < len(s) && (isLetter(s[j]) || isDigit(s[j]) || s[j] == '-') {
			j++
		}
		k := j
		for k > label && s[k-1] == '-' {
			k--
		}
		if k == label || s[label] == '-' {
			return end
		}
		if dots > 0 && k-label >= 2 && allLetters(s[label:k]) {
			end = k
		}
		if k != j || j == len(s) || s[j] != '.' {
			return end
		}
		dots++
		label = j + 1
	}
}

func allLetters(b []byte) bool {
	for _, c := range b {
		if !isLetter(c) {
			return false
		}
	}
	return true
}

// inAuthority reports whether the '@' at s[at] ends the user information of a URL:
// "scheme://" comes before it with no '/' or space between.
func inAuthority(s []byte, at int) bool {
	for p := at - 1; p >= 0; p-- {
		switch c := s[p]; c {
		case '/':
			return p >= 2 && s[p-1] == '/' && s[p-2] == ':'
		case ' ', '\t', '\n', '\r', '"', '\'', '<', '>', '?', '#', '(', '[':
			return false
		}
	}
	return false
}

// urlPasswordSpans finds the password in URLs: the part of "scheme://user:password@host"
// between the first ':' and the last '@' of the authority.
func urlPasswordSpans(s []byte, out []span) []span {
	for i := 0; i < len(s); {
		j := bytes.Index(s[i:], []byte("://"))
		if j < 0 {
			break
		}
		sep := i + j
		a := sep + 3
		end := a
		for end < len(s) && !isAuthorityEnd(s[end]) {
			end++
		}
		i = end
		if sep == 0 || !isLetter(s[sep-1]) && !isDigit(s[sep-1]) && s[sep-1] != '+' {
			continue // no scheme
		}
		at := bytes.LastIndexByte(s[a:end], '@')
		if at < 0 {
			continue
		}
		colon := bytes.IndexByte(s[a:a+at], ':')
		if colon >= 0 && colon+1 < at {
			out = append(out, span{a + colon + 1, a + at})
		}
	}
	return out
}

func isAuthorityEnd(c byte) bool {
	switch c {
	case '/', '?', '#', ' ', '\t', '\n', '\r', '"', '\'', '<', '>', '`':
		return true
	}
	return false
}

// bearerSpans finds the token of "Bearer <token>" (RFC 6750): eight characters or more,
// holding a digit or punctuation, so that prose such as "bearer of bad news" stays.
func bearerSpans(s []byte, out []span) []span {
	if !bytes.Contains(s, []byte("earer")) && !bytes.Contains(s, []byte("EARER")) {
		return out
	}
	for i := 0; ; {
		j := indexFold(s, i, "bearer")
		if j < 0 {
			return out
		}
		k := j + len("bearer")
		i = k
		if j > 0 && isWordByte(s[j-1]) || k == len(s) || s[k] != ' ' && s[k] != '\t' {
			continue
		}
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		end := k
		for end < len(s) && isTokenByte(s[end]) {
			end++
		}
		for end < len(s) && s[end] == '=' {
			end++
		}
		if tokenLike(s[k:end]) && (end == len(s) || !isWordByte(s[end])) {
			out = append(out, span{k, end})
			i = end
		}
	}
}

func isTokenByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

func isWordByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }

func tokenLike(t []byte) bool {
	if len(t) < 8 {
		return false
	}
	for _, c := range t {
		if !isLetter(c) {
			return true
		}
	}
	return false
}

// authorizationSpans finds the credentials of an Authorization header, as logged in
// text ("Authorization: Basic abc="), JSON ("authorization":"...") or a Go header map
// (Authorization:[...]): what follows the scheme up to the end of the value, which is
// the closing quote or bracket, or else the first space.
func authorizationSpans(s []byte, out []span) []span {
	if !bytes.Contains(s, []byte("uthorization")) && !bytes.Contains(s, []byte("UTHORIZATION")) {
		return out
	}
	for i := 0; ; {
		j := indexFold(s, i, "authorization")
		if j < 0 {
			return out
		}
		i = j + len("authorization")
		if start, end, ok := credentials(s, i); ok {
			out = append(out, span{start, end})
			i = end
		}
	}
}

// credentials returns the bounds of the credentials of the header value after the
// header name that ends at i.
func credentials(s []byte, i int) (start, end int, ok bool) {
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		i++ // the end of a quoted key
	}
	i = skipSpaces(s, i)
	if i == len(s) || s[i] != ':' && s[i] != '=' {
		return 0, 0, false
	}
	i = skipSpaces(s, i+1)
	var closing byte
	if i < len(s) {
		switch s[i] {
		case '"', '\'':
			closing = s[i]
		case '[':
			closing = ']'
		}
	}
	if closing != 0 {
		i++
	}
	w := i
	for w < len(s) && isLetter(s[w]) {
		w++
	}
	if w > i && w < len(s) && s[w] == ' ' {
		i = skipSpaces(s, w) // past the scheme
	}
	end = i
	for end < len(s) && !valueEnds(s[end], closing) {
		if s[end] == '\\' && closing != 0 {
			end++ // an escaped quote does not close the value
		}
		end++
	}
	end = min(end, len(s))
	return i, end, end > i
}

func valueEnds(c, closing byte) bool {
	if closing != 0 {
		return c == closing
	}
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == ',' || c == ';'
}

func skipSpaces(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// indexFold returns the position of word (lower-case ASCII) in s from i, in any case, or
// -1.
func indexFold(s []byte, i int, word string) int {
	for ; i+len(word) <= len(s); i++ {
		if s[i]|0x20 != word[0] {
			continue
		}
		j := 1
		for j < len(word) && s[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return i
		}
	}
	return -1
}
