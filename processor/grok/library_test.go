package grok

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// libraryExamples are, for every library pattern, lines it must match whole and lines it
// must not.
var libraryExamples = map[string]struct{ good, bad []string }{
	"USERNAME":         {[]string{"alice", "j.doe-2_x"}, []string{"", "a b", "a@b"}},
	"USER":             {[]string{"root"}, []string{"a:b"}},
	"INT":              {[]string{"42", "-7", "+0"}, []string{"4.2", "x", "-"}},
	"BASE10NUM":        {[]string{"1", "-1.5", ".5", "3.", "+10"}, []string{"1.2.3", ".", "1e5", "abc"}},
	"NUMBER":           {[]string{"3.14"}, []string{"3,14"}},
	"BASE16NUM":        {[]string{"0x1F", "ff", "-0XaB"}, []string{"0xg", "x1"}},
	"POSINT":           {[]string{"1", "42"}, []string{"0", "042", "-1"}},
	"NONNEGINT":        {[]string{"0", "042"}, []string{"-1", "1.0"}},
	"WORD":             {[]string{"hello_1"}, []string{"a-b", "a b", "é"}},
	"NOTSPACE":         {[]string{"a/b:c"}, []string{"a b", ""}},
	"SPACE":            {[]string{"", " \t "}, []string{"x"}},
	"DATA":             {[]string{"", "any thing\nacross lines"}, nil},
	"GREEDYDATA":       {[]string{"", "x\ny"}, nil},
	"QUOTEDSTRING":     {[]string{`"a \"b\""`, `'a\'b'`, "`cmd`", `""`, "\"two\nlines\""}, []string{`"abc`, `abc`, `"a"b"`}},
	"QS":               {[]string{`"x"`}, []string{`x`}},
	"UUID":             {[]string{"123e4567-e89b-12d3-a456-426614174000"}, []string{"123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g"}},
	"CISCOMAC":         {[]string{"0123.4567.89ab"}, []string{"0123.4567"}},
	"WINDOWSMAC":       {[]string{"01-23-45-67-89-AB"}, []string{"01:23:45:67:89:ab"}},
	"COMMONMAC":        {[]string{"01:23:45:67:89:ab"}, []string{"01:23:45:67:89"}},
	"MAC":              {[]string{"01:23:45:67:89:ab", "01-23-45-67-89-AB", "0123.4567.89ab"}, []string{"01:23:45:67:89", "01:23:45:67:89:ag"}},
	"IPV4":             {[]string{"0.0.0.0", "192.168.1.254", "255.255.255.255"}, []string{"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.456"}},
	"IPV6":             {[]string{"::1", "::", "2001:db8::17", "fe80::1%eth0", "1:2:3:4:5:6:7:8", "::ffff:192.0.2.1", "1:2:3:4:5:6:1.2.3.4", "FE80::A"}, []string{"12:30:45", "1:2:3:4:5:6:7", "2001:db8:::1", "g::1", "1.2.3.4", "12345::1"}},
	"IP":               {[]string{"10.0.0.1", "::1"}, []string{"example.com", "1.2.3"}},
	"HOSTNAME":         {[]string{"example.com", "a-b.example.org.", "localhost", "xn--bcher-kva.example", "10"}, []string{"-a.com", "a..b", "a_b.com", "a-.com"}},
	"IPORHOST":         {[]string{"10.0.0.1", "web-01.internal", "::1"}, []string{"a b", "_x"}},
	"HOSTPORT":         {[]string{"example.com:443", "10.0.0.1:8080", "[::1]:80"}, []string{"example.com", "example.com:0", "::1:80"}},
	"UNIXPATH":         {[]string{"/var/log/syslog", "/", `/a\ b`}, []string{"var/log", "/a b"}},
	"WINPATH":          {[]string{`C:\Windows\System32`, `\\server\share`}, []string{`C:/x`, `Windows\x`}},
	"PATH":             {[]string{"/etc/hosts", `C:\x`}, []string{"etc"}},
	"URIPROTO":         {[]string{"https", "git+ssh"}, []string{"1http", "h"}},
	"URIHOST":          {[]string{"example.com", "example.com:8080", "10.0.0.1:80"}, []string{"example.com:", "a b"}},
	"URIPATH":          {[]string{"/", "/a/b.html", "/~user/x;p=1"}, []string{"a/b", "/a b"}},
	"URIPARAM":         {[]string{"?a=1&b=2", "?"}, []string{"a=1", "?a b"}},
	"URIPATHPARAM":     {[]string{"/search?q=x", "/a"}, []string{"?q=x", "/a b"}},
	"URI":              {[]string{"https://example.com/a?b=c", "ftp://user:pw@host:21/file", "file:///etc/hosts"}, []string{"example.com/a", "http:/x", "://x"}},
	"MONTH":            {[]string{"Jan", "january", "September", "Sept"}, []string{"Janu", "Foo", "JAN"}},
	"MONTHNUM":         {[]string{"1", "01", "12"}, []string{"0", "13", "00"}},
	"MONTHDAY":         {[]string{"1", "09", "31"}, []string{"0", "32", "00"}},
	"DAY":              {[]string{"Mon", "Tuesday"}, []string{"Mo", "Tues"}},
	"YEAR":             {[]string{"2024", "24"}, []string{"202", "20245"}},
	"HOUR":             {[]string{"0", "09", "23"}, []string{"24", "123"}},
	"MINUTE":           {[]string{"00", "59"}, []string{"60", "5"}},
	"SECOND":           {[]string{"00", "59", "60", "05.123", "07,5"}, []string{"61", "5."}},
	"TIME":             {[]string{"12:34:56", "1:02:03.456"}, []string{"12:34", "24:00:00", "12:60:00"}},
	"DATE_US":          {[]string{"12/31/2024", "1-2-24"}, []string{"31/12/2024", "12/31"}},
	"DATE_EU":          {[]string{"31.12.2024", "1/2/24"}, []string{"12.31.2024"}},
	"DATE":             {[]string{"12/31/2024", "31.12.2024"}, []string{"2024-12-31"}},
	"ISO8601_TIMEZONE": {[]string{"Z", "+02:00", "-0530", "+01"}, []string{"02:00", "+2400"}},
	"TIMESTAMP_ISO8601": {[]string{"2024-05-01T12:34:56Z", "2024-05-01 12:34:56.789+02:00", "2024-05-01T12:34"},
		[]string{"2024-13-01T00:00:00Z", "2024-05-01", "2024/05/01 12:00:00"}},
	"DATESTAMP":       {[]string{"12/31/2024 23:59:59", "31.12.2024-23:59:59"}, []string{"2024-12-31 23:59:59"}},
	"TZ":              {[]string{"UTC", "CEST"}, []string{"utc", "ABCDEF"}},
	"HTTPDATE":        {[]string{"10/Oct/2000:13:55:36 -0700"}, []string{"10/Oct/2000 13:55:36 -0700", "10/10/2000:13:55:36 -0700"}},
	"SYSLOGTIMESTAMP": {[]string{"Dec 10 06:55:46", "Jun  4 15:16:01"}, []string{"Dec 10 06:55", "10 Dec 06:55:46"}},
	"PROG":            {[]string{"sshd", "sshd(pam_unix)", "su:"}, []string{"ssh d", "a[1]"}},
	"SYSLOGPROG":      {[]string{"sshd[24200]", "cron"}, []string{"sshd[]", "sshd[x]"}},
	"SYSLOGHOST":      {[]string{"LabSZ", "10.0.0.1"}, []string{"a b"}},
	"SYSLOGFACILITY":  {[]string{"<4.6>"}, []string{"<4>"}},
	"SYSLOGBASE":      {[]string{"Dec 10 06:55:46 LabSZ sshd[24200]:", "Jun  4 15:16:01 <4.6> combo su(pam_unix)[2]:"}, []string{"Dec 10 06:55:46 LabSZ sshd[24200]"}},
	"LOGLEVEL":        {[]string{"INFO", "Warning", "err", "EMERGENCY", "notice", "Information"}, []string{"inf0", "Informational", "WARNINGS"}},
	"EMAILLOCALPART":  {[]string{"john.doe+tag"}, []string{".john", "a..b"}},
	"EMAILADDRESS":    {[]string{"john.doe@example.com"}, []string{"john@", "@example.com", "john doe@example.com"}},
	"HTTPDUSER":       {[]string{"frank", "a@b.c"}, []string{"a b"}},
	"QSCONTENT":       {[]string{`a \"b\"`, ""}, []string{`a"b`}},
	"COMMONAPACHELOG": {[]string{`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`, `h - - [10/Oct/2000:13:55:36 -0700] "-" - -`},
		[]string{`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200`}},
	"COMBINEDAPACHELOG": {[]string{`::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "curl/8.0"`},
		[]string{`::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1`}},
}

func TestLibrary(t *testing.T) {
	names := map[string]bool{}
	ref := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for _, def := range Library() {
		t.Run(def.Name, func(t *testing.T) {
			require.False(t, names[def.Name], "twice in the library")
			names[def.Name] = true
			require.NotEmpty(t, def.Doc)
			ex, ok := libraryExamples[def.Name]
			require.True(t, ok, "no examples")
			require.NotEmpty(t, ex.good)
			p, err := Compile("^%{"+def.Name+"}$", nil)
			require.NoError(t, err)
			for _, line := range ex.good {
				var d ecs.Document
				matched, err := p.Match([]byte(line), &d, time.UTC, ref)
				require.True(t, matched, "%q", line)
				require.NoError(t, err, "%q", line)
			}
			for _, line := range ex.bad {
				var d ecs.Document
				matched, _ := p.Match([]byte(line), &d, time.UTC, ref)
				require.False(t, matched, "%q", line)
			}
		})
	}
	for name := range libraryExamples {
		require.True(t, names[name], "examples for %s, which the library lacks", name)
	}
}

func TestLibraryComposites(t *testing.T) {
	tests := []struct {
		pattern, line, want string
		wantTime            time.Time
	}{
		{`^%{COMBINEDAPACHELOG}`,
			`10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a?b=\"c\" HTTP/1.1" 200 2326 "http://ref/" "Mozilla/5.0 (X11)"`,
			`{"http":{"request":{"method":"GET","referrer":"http://ref/"},"response":{"body":{"bytes":2326},"status_code":200},"version":"1.1"},` +
				`"source":{"address":"10.0.0.1"},"url":{"original":"/a?b=\\\"c\\\""},"user":{"name":"frank"},"user_agent":{"original":"Mozilla/5.0 (X11)"}}`,
			time.Date(2000, 10, 10, 20, 55, 36, 0, time.UTC)},
		{`^%{COMMONAPACHELOG}`, `web-1 ident - [01/Jan/2024:00:00:00 +0000] "\x16\x03" - -`,
			`{"apache":{"access":{"user":{"identity":"ident"}}},"source":{"address":"web-1"}}`,
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{`^%{SYSLOGBASE}`, `Jun 14 15:16:01 <4.6> combo sshd(pam_unix)[19939]: authentication failure`,
			`{"host":{"hostname":"combo"},"log":{"syslog":{"facility":{"code":4},"priority":6}},"process":{"name":"sshd(pam_unix)","pid":19939}}`,
			time.Date(2024, 6, 14, 15, 16, 1, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			p, err := Compile(tt.pattern, nil)
			require.NoError(t, err)
			var d ecs.Document
			matched, err := p.Match([]byte(tt.line), &d, time.UTC, time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC).UnixNano())
			require.True(t, matched)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(d.AppendJSON(nil)))
			ns, ok := d.Timestamp()
			require.True(t, ok)
			require.Equal(t, tt.wantTime, time.Unix(0, ns).UTC())
		})
	}
}
