// Package config reads Trolly's configuration: a YAML file read strictly (an unknown key is
// an error), then TROLLY_* environment variables, then command-line flags, then defaults.
// Validation names the offending key.
package config
