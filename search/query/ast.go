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
	// Phrase is set for a quoted value: its words must appear in sequence, or, on a
	// field, the value must be equal as a whole.
	Phrase bool
	// Prefix is set for a value ending in '*': Value (without the '*') is a prefix.
	Prefix bool
}

func (And) node()  {}
func (Or) node()   {}
func (Not) node()  {}
func (Term) node() {}
