package pipeline

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func redactor(t testing.TB, cfg string) *redactStep {
	t.Helper()
	p := mustCompile(t, `[{"redact":`+cfg+`}]`)
	return p.steps[0].action.(*redactStep)
}

func redacted(s *redactStep, text string) string {
	out, ok := s.redact(nil, []byte(text))
	if !ok {
		return text
	}
	return string(out)
}

func TestBuiltins(t *testing.T) {
	tests := []struct{ builtin, in, want string }{
		// e-mail addresses, also inside URLs but not as a URL's user
		{"email", "mail from bob.smith+tag@example.co.uk accepted", "mail from [REDACTED] accepted"},
		{"email", "to: ann@example.org.", "to: [REDACTED]."},
		{"email", "mailto:ann@example.org", "mailto:[REDACTED]"},
		{"email", "GET /users/john.doe@example.com/profile", "GET /users/[REDACTED]/profile"},
		{"email", "GET /unsubscribe?email=john@example.com&x=1", "GET /unsubscribe?email=[REDACTED]&x=1"},
		{"email", "GET /unsubscribe?email=john%40example.com&x=1", "GET /unsubscribe?email=[REDACTED]&x=1"},
		{"email", "a@b.c and x@1.2.3.4 and user@localhost and @example.com", "a@b.c and x@1.2.3.4 and user@localhost and @example.com"},
		{"email", "https://user:pass@example.com/x", "https://user:pass@example.com/x"},
		{"email", "ftp://anonymous@ftp.example.com/", "ftp://anonymous@ftp.example.com/"},
		{"email", "git@github.com:org/repo.git", "[REDACTED]:org/repo.git"},
		{"email", "first.@example.com .x@example.com", "first.@example.com .[REDACTED]"},
		{"email", "a@x-.com b@-x.com c@x.com-", "a@x-.com b@-x.com [REDACTED]-"},

		// card numbers: brand, length and Luhn
		{"credit_card", "card 4111111111111111 ok", "card [REDACTED] ok"},
		{"credit_card", "card 4111 1111 1111 1111.", "card [REDACTED]."},
		{"credit_card", "card=4111-1111-1111-1111;", "card=[REDACTED];"},
		{"credit_card", "amex 3782 822463 10005 mc 5555555555554444 mc2 2223003122003222", "amex [REDACTED] mc [REDACTED] mc2 [REDACTED]"},
		{"credit_card", "discover 6011111111111117 jcb 3530111333300000 diners 30569309025904 maestro 6759649826438453",
			"discover [REDACTED] jcb [REDACTED] diners [REDACTED] maestro [REDACTED]"},
		{"credit_card", "4111111111111111,5555555555554444", "[REDACTED],[REDACTED]"},
		{"credit_card", "Luhn fails 4111111111111112", "Luhn fails 4111111111111112"},
		{"credit_card", "ns 1706688902250000004 passes Luhn, no brand", "ns 1706688902250000004 passes Luhn, no brand"},
		{"credit_card", "visa digits, wrong length 411111111111111118", "visa digits, wrong length 411111111111111118"},
		{"credit_card", "in a word x4111111111111111 or 4111111111111111y", "in a word x4111111111111111 or 4111111111111111y"},
		{"credit_card", "decimal 4111111111111111.5 or 1.4111111111111111", "decimal 4111111111111111.5 or 1.4111111111111111"},
		{"credit_card", "mixed separators 4111 1111-1111 1111", "mixed separators 4111 1111-1111 1111"},
		{"credit_card", "2024-01-31 4111 1111 1111 1111 12:00", "2024-01-31 [REDACTED] 12:00"},
		{"credit_card", "v2 4111111111111111", "v2 [REDACTED]"},
		{"credit_card", "ip 10.0.0.1 port 4111 pid 1111111111111", "ip 10.0.0.1 port 4111 pid 1111111111111"},

		// bearer tokens and Authorization headers
		{"bearer_token", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_DEF-123", "Authorization: Bearer [REDACTED]"},
		{"bearer_token", `{"authorization":"Bearer abc123def456"}`, `{"authorization":"Bearer [REDACTED]"}`},
		{"bearer_token", "Authorization: Basic dXNlcjpwYXNzd29yZA== from 10.0.0.1", "Authorization: Basic [REDACTED] from 10.0.0.1"},
		{"bearer_token", `authorization="Digest username=\"a\", response=\"6629fa\"" next`, `authorization="Digest [REDACTED]" next`},
		{"bearer_token", "map[Authorization:[Bearer tok3n-abcdef] User-Agent:[curl]]", "map[Authorization:[Bearer [REDACTED]] User-Agent:[curl]]"},
		{"bearer_token", "proxy-authorization: secret-token-1", "proxy-authorization: [REDACTED]"},
		{"bearer_token", "BEARER ABCDEFGH12", "BEARER [REDACTED]"},
		{"bearer_token", "the bearer of bad news; token_type=bearer expires=3600", "the bearer of bad news; token_type=bearer expires=3600"},
		{"bearer_token", "authorization failed for bob", "authorization failed for bob"},

		// passwords in URLs
		{"url_password", "connect postgres://app:s3cr3t@db:5432/app", "connect postgres://app:[REDACTED]@db:5432/app"},
		{"url_password", "redis://:secret@cache:6379/0", "redis://:[REDACTED]@cache:6379/0"},
		{"url_password", "https://u:p@ss@host/x?y=z@w", "https://u:[REDACTED]@host/x?y=z@w"},
		{"url_password", "https://user@host/x http://host:8080/path@x ://a:b@c", "https://user@host/x http://host:8080/path@x ://a:b@c"},
	}
	for _, tt := range tests {
		t.Run(tt.builtin+"/"+tt.in, func(t *testing.T) {
			s := redactor(t, `{"builtins":["`+tt.builtin+`"]}`)
			require.Equal(t, tt.want, redacted(s, tt.in))
		})
	}
}

func TestPatterns(t *testing.T) {
	tests := []struct{ cfg, in, want string }{
		{`{"patterns":["password=(\\S+)"]}`, "login password=hunter2 ok", "login password=[REDACTED] ok"},
		{`{"patterns":["\\d{3}-\\d{2}-\\d{4}"],"mask":"***"}`, "ssn 123-45-6789, 987-65-4321", "ssn ***, ***"},
		{`{"patterns":["(?i)secret=(\\w+)|token=(\\w+)"]}`, "SECRET=a token=b", "SECRET=[REDACTED] token=[REDACTED]"},
		{`{"patterns":["x"],"mask":""}`, "axbxc", "abc"},
		{`{"patterns":["a|\\b"]}`, "b a", "b [REDACTED]"},
		// Overlapping finds are masked once.
		{`{"builtins":["email","url_password"],"patterns":["example"]}`, "https://u:pw@example.com bob@example.com",
			"https://u:[REDACTED]@[REDACTED].com [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.cfg+"/"+tt.in, func(t *testing.T) {
			require.Equal(t, tt.want, redacted(redactor(t, tt.cfg), tt.in))
		})
	}
}

func TestRequiredLiteral(t *testing.T) {
	for expr, want := range map[string]string{
		`password=(\S+)`:    "password=",
		`(?i)password=\S+`:  "",
		`ab|cd`:             "",
		`\d+-secret-key\d+`: "-secret-key",
		`x`:                 "x",
	} {
		require.Equal(t, want, string(requiredLiteral(expr)), expr)
	}
}

func TestRedactFields(t *testing.T) {
	p := mustCompile(t, `[{"redact":{"fields":["message","user.email","labels.list"],"builtins":["email","credit_card"]}}]`)
	d := event(t, "paid with 4111111111111111", `{"user":{"email":"bob@example.com"},"labels":{"list":["x@example.com",4111111111111111,"ok"]}}`)
	p.Run(d, nil)
	require.Equal(t, ts+ds+evt+`,"labels":{"list":["[REDACTED]",4111111111111111,"ok"]},"message":"paid with [REDACTED]",`+org+
		`,"user":{"email":"[REDACTED]"}}`, string(d.AppendJSON(nil)))
}

// Whatever surrounds them, the secrets put in a text are masked.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"", "x", "4", "5 ", "://u:", "a@", "Bearer", "authorization: ", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21"} {
		f.Add(s)
	}
	s := redactor(f, `{"builtins":["email","credit_card","bearer_token","url_password"],"patterns":["pw=(\\w+)"]}`)
	secrets := []string{"bob@example.com", "4111111111111111", "Bearer abcdefgh123456", "pw=hunter2"}
	f.Fuzz(func(t *testing.T, around string) {
		for _, secret := range secrets {
			in := around + " " + secret + " " + around
			out, ok := s.redact(nil, []byte(in))
			require.True(t, ok, "%q", in)
			before := countOf(around+" "+around, secret)
			require.LessOrEqual(t, countOf(string(out), secret), before, "%q gave %q", in, out)
		}
		out, ok := s.redact(nil, []byte(around))
		if !ok {
			require.Nil(t, out)
		}
	})
}

func countOf(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}

// Any JSON compiles to a pipeline or to an error wrapping ErrInvalid, never a panic; a
// pipeline runs on an event.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`[]`, `null`, `[{"set":{"field":"a","value":1}}]`, `[{"redact":{"patterns":["(a"]}}]`,
		`[{"route":{"stream":"x","if":"a:b"}}]`, `[{"drop":{"if":"-x"}},{"duplicate":{"dataset":"d"}}]`,
		`[{"remove":{"fields":["a","b.c"]}},{"rename":{"field":"x","to":"message"}}]`,
		`[{"set":{"field":"y","copy_from":"message"}},{"redact":{"fields":["y"],"builtins":["email"],"mask":"#"}}]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := Compile(json.RawMessage(raw))
		if err != nil {
			require.ErrorIs(t, err, ErrInvalid)
			require.Nil(t, p)
			return
		}
		d := event(t, "bob@example.com said x", `{"a":{"b":1},"x":"y"}`)
		p.Run(d, func(Copy) { d.AppendJSON(nil) })
		require.True(t, json.Valid(d.AppendJSON(nil)))
	})
}
