package esbulk

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// Credential returns the Trolly ingest key of an Authorization header, in the forms
// Elasticsearch shippers send:
//
//   - "ApiKey base64(<id>:<key>)": the key; the id is not used (Beats and Logstash take
//     api_key as "<id>:<key>" and encode it, any id will do).
//   - "ApiKey <key>": the key as it is (clients that take an encoded key verbatim).
//   - "Basic base64(<user>:<key>)": the password; the user name is not used.
//   - "Bearer <key>".
//
// Trolly keys ("trl_<id>_<random>") hold '_', which standard base64 does not, so a key sent
// as it is never decodes by mistake.
func Credential(header string) (string, bool) {
	scheme, value, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok {
		return "", false
	}
	value = strings.TrimSpace(value)
	var secret string
	switch {
	case strings.EqualFold(scheme, "ApiKey"):
		secret = value
		if dec, ok := decode64(value); ok {
			if _, key, found := strings.Cut(dec, ":"); found {
				secret = key
			} else {
				secret = dec
			}
		}
	case strings.EqualFold(scheme, "Basic"):
		dec, ok := decode64(value)
		if !ok {
			return "", false
		}
		_, secret, _ = strings.Cut(dec, ":")
	case strings.EqualFold(scheme, "Bearer"):
		secret = value
	}
	// A decoded secret may end in a space the client's encoder kept; keys have none.
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}

// decode64 decodes standard base64, padded or not, into printable text.
func decode64(s string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return "", false
		}
	}
	if !utf8.Valid(b) {
		return "", false
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return "", false
		}
	}
	return string(b), true
}
