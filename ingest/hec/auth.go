package hec

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// Token returns the HEC token of a request and Success, or the code to refuse it with.
//
// Vector, Fluent Bit, the OpenTelemetry collector and Docker's log driver all send
// "Authorization: Splunk <token>". Splunk also takes HTTP Basic with the token as the
// password (the user is ignored). Splunk takes ?token= in the query where a token allows
// it; Trolly never does, since tokens in URLs end up in access logs: such a request is
// answered with Splunk's code for it.
func Token(h http.Header, q url.Values) (string, Code) {
	auth := strings.TrimSpace(h.Get("Authorization"))
	if auth == "" {
		if q.Has("token") {
			return "", QueryAuthDisabled
		}
		return "", TokenRequired
	}
	scheme, cred, _ := strings.Cut(auth, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case cred == "":
		return "", InvalidAuthorization
	case strings.EqualFold(scheme, "Splunk"):
		return cred, Success
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return "", InvalidAuthorization
		}
		if _, pass, ok := strings.Cut(string(raw), ":"); ok && pass != "" {
			return pass, Success
		}
	}
	return "", InvalidAuthorization
}
