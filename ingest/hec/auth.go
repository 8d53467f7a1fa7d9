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
// password (the user is ignored), and ?token= in the query only where the token allows it:
// allowQuery says whether this listener does (tokens in URLs end up in access logs).
func Token(h http.Header, q url.Values, allowQuery bool) (string, Code) {
	auth := strings.TrimSpace(h.Get("Authorization"))
	if auth == "" {
		if !q.Has("token") {
			return "", TokenRequired
		}
		if !allowQuery {
			return "", QueryAuthDisabled
		}
		if tok := q.Get("token"); tok != "" {
			return tok, Success
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
