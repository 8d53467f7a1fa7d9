// Package configtest is for tests only: it loads a component's typed Config from a YAML
// fixture the way a process reads it (strictly, then defaults, then Validate), and checks
// that every testdata/*.bad.yaml fixture fails with the message its header names.
package configtest
