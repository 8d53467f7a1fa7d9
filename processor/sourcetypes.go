package processor

import "github.com/trolly-logs/trolly/processor/sourcetype"

// SourceTypes returns the names of the source types a stream may have, sorted.
func SourceTypes() []string { return sourcetype.Builtin().Names() }

// ValidSourceType reports whether name is a source type the processor knows.
func ValidSourceType(name string) bool {
	_, ok := sourcetype.Builtin().Lookup(name)
	return ok
}
