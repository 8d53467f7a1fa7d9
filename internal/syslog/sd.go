package syslog

// structuredData reads STRUCTURED-DATA [SP MSG] from b. Senders that write no structured
// data where RFC 5424 wants "-", or write it wrong, are common: then all of b is the message
// and no element is kept.
func (m *Message) structuredData(b []byte) {
	switch {
	case len(b) == 0:
		return
	case b[0] == '-' && (len(b) == 1 || b[1] == ' '):
		m.message(b[min(2, len(b)):])
		return
	case b[0] != '[':
		m.message(b)
		return
	}
	n, ok := m.elements(b)
	if !ok || (n < len(b) && b[n] != ' ') {
		m.Elements, m.params = m.Elements[:0], m.params[:0]
		m.message(b)
		return
	}
	m.StructuredData = b[:n]
	m.message(b[min(n+1, len(b)):])
}

// elements reads one or more [id name="value" ...] with no space between them and returns
// the length read.
func (m *Message) elements(b []byte) (int, bool) {
	i := 0
	for i < len(b) && b[i] == '[' {
		id := name(b, i+1)
		if id == 0 {
			return 0, false
		}
		el := Element{ID: b[i+1 : i+1+id]}
		first := len(m.params)
		i += 1 + id
		for i < len(b) && b[i] == ' ' {
			j, ok := m.param(b, i+1)
			if !ok {
				return 0, false
			}
			i = j
		}
		if i >= len(b) || b[i] != ']' {
			return 0, false
		}
		i++
		el.Params = m.params[first:len(m.params):len(m.params)]
		m.Elements = append(m.Elements, el)
	}
	// Params appended after an element's may have moved the backing array: point every
	// element at the final one.
	at := 0
	for k := range m.Elements {
		n := len(m.Elements[k].Params)
		m.Elements[k].Params = m.params[at : at+n : at+n]
		at += n
	}
	return i, true
}

// param reads name="value" at i and returns where it ends.
func (m *Message) param(b []byte, i int) (int, bool) {
	n := name(b, i)
	if n == 0 || i+n+1 >= len(b) || b[i+n] != '=' || b[i+n+1] != '"' {
		return 0, false
	}
	p := Param{Name: b[i : i+n]}
	start := i + n + 2
	for j := start; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++ // the escaped byte cannot end the value
		case '"':
			p.Value = b[start:j:j]
			m.params = append(m.params, p)
			return j + 1, true
		}
	}
	return 0, false
}

// name returns the length of the SD-NAME at i: printable US-ASCII but '=', ' ', ']' and '"'.
func name(b []byte, i int) int {
	n := 0
	for i+n < len(b) {
		c := b[i+n]
		if c <= ' ' || c > '~' || c == '=' || c == ']' || c == '"' {
			break
		}
		n++
	}
	return n
}
