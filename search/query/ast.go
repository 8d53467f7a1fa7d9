package query

// Node is a node of a parsed query.
type Node interface {
	node()
}

// And matches when every one of Nodes matches.
type And struct {
	Nodes []Node
}

// Or matches when any of Nodes matches.
type Or struct {
	Nodes []Node
}

// Not matches when Node does not.
type Not struct {
	Node Node
}

// Term matches a word, a phrase or a field value.
type Term struct {
	// Field is an ECS field path; empty means any text of the event.
	Field string
	// Value is the word, phrase or value to match.
	Value string
	// Phrase is set for a quoted value: the phrase must appear as it is written, starting
	// and ending at word boundaries, or, on a field, the value must be equal as a whole.
	Phrase bool
	// Prefix is set for a value ending in '*': Value (without the '*') is a prefix.
	Prefix bool
	// Wildcard is set for an unquoted value with a '*' other than a last one: Value keeps
	// every '*', each standing for any run of word characters in a text, or of any
	// characters in a field's value.
	Wildcard bool
	// Case is set for text that must match with its case as written (the '=' form);
	// field values always do.
	Case bool
}

// Range matches the values of Field between two bounds: numbers, or, on @timestamp, times.
type Range struct {
	Field string
	// Min and Max are the bounds as written; an empty one is open.
	Min, Max string
	// MinExcl and MaxExcl leave the bound itself out.
	MinExcl, MaxExcl bool
}

// Exists matches events where Field holds a value: not null, not "", or, for an object,
// a field inside it that does.
type Exists struct {
	Field string
}

// IPRange matches IP addresses of Field within a CIDR block (10.0.0.0/8, 2001:db8::/32).
type IPRange struct {
	Field string
	CIDR  string
}

func (And) node()     {}
func (Or) node()      {}
func (Not) node()     {}
func (Term) node()    {}
func (Range) node()   {}
func (Exists) node()  {}
func (IPRange) node() {}
