package grok

// Definition is one named pattern of the library.
type Definition struct {
	Name string
	Expr string
	Doc  string // what it matches, for the README
}

// Library returns the base patterns every pattern may refer to, in the order the README lists
// them. The expressions are written for Go's RE2 engine: no lookaround and few counted
// repetitions, because the program's size decides whether Go runs the fast backtracker or the
// slower NFA. The composite patterns (SYSLOGPROG, SYSLOGFACILITY, SYSLOGBASE and the access
// logs) capture ECS fields; the others capture nothing.
func Library() []Definition {
	return []Definition{
		// Words and numbers.
		{"USERNAME", `[a-zA-Z0-9._-]+`, "a user name: letters, digits and . _ -"},
		{"USER", `%{USERNAME}`, "same as USERNAME"},
		{"INT", `[+-]?[0-9]+`, "an integer with an optional sign"},
		{"BASE10NUM", `[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)`, "a decimal number with an optional sign and fraction"},
		{"NUMBER", `%{BASE10NUM}`, "same as BASE10NUM"},
		{"BASE16NUM", `[+-]?(?:0[xX])?[0-9A-Fa-f]+`, "a hexadecimal number, 0x optional"},
		{"POSINT", `\b[1-9][0-9]*\b`, "a positive integer without leading zeros"},
		{"NONNEGINT", `\b[0-9]+\b`, "a non-negative integer"},
		{"WORD", `\b\w+\b`, "letters, digits and underscores"},
		{"NOTSPACE", `\S+`, "anything up to a space"},
		{"SPACE", `\s*`, "optional white space"},
		{"DATA", `(?s:.*?)`, "anything, as little as possible, newlines included"},
		{"GREEDYDATA", `(?s:.*)`, "anything, as much as possible, newlines included"},
		{"QUOTEDSTRING", `"(?s:[^"\\]|\\.)*"|'(?s:[^'\\]|\\.)*'|` + "`[^`]*`", `a "double", 'single' or` + " `back` " + `quoted string, with backslash escapes`},
		{"QS", `%{QUOTEDSTRING}`, "same as QUOTEDSTRING"},
		{"UUID", `[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}`, "a UUID in its 8-4-4-4-12 form"},

		// Networks.
		{"CISCOMAC", `(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}`, "a MAC address as 0123.4567.89ab"},
		{"WINDOWSMAC", `(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}`, "a MAC address as 01-23-45-67-89-ab"},
		{"COMMONMAC", `(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}`, "a MAC address as 01:23:45:67:89:ab"},
		{"MAC", `%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC}`, "a MAC address in any of the three forms"},
		{"IPV4", `\b(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\b`,
			"a dotted-quad IPv4 address"},
		{"IPV6", `(?:[0-9A-Fa-f]{1,4}:){6}(?:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}|%{IPV4})|` +
			`(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::(?:(?:[0-9A-Fa-f]{1,4}:)*(?:%{IPV4}|[0-9A-Fa-f]{1,4}))?` +
			`(?:%[0-9A-Za-z]+)?`,
			"an IPv6 address: eight groups, or fewer around ::, optionally ending in IPv4 and a %zone " +
				"(the count of groups around :: is not checked; type ip checks it)"},
		{"IP", `%{IPV6}|%{IPV4}`, "an IPv6 or IPv4 address"},
		{"HOSTNAME", `\b[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?(?:\.[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?)*\.?`,
			"a DNS name: dot-separated labels of letters, digits and inner hyphens"},
		{"IPORHOST", `%{IP}|%{HOSTNAME}`, "an IP address or a host name"},
		{"HOSTPORT", `(?:\[%{IPV6}\]|%{IPV4}|%{HOSTNAME}):%{POSINT}`, "host:port, an IPv6 address in brackets"},

		// Paths and URIs.
		{"UNIXPATH", `(?:/(?:[\w%!$@:.,+~-]|\\.)*)+`, "an absolute Unix path"},
		{"WINPATH", `(?:[A-Za-z]+:|\\)(?:\\[^\\?*]*)+`, `a Windows path: C:\dir\file or \\server\share`},
		{"PATH", `%{UNIXPATH}|%{WINPATH}`, "a Unix or Windows path"},
		{"URIPROTO", `[A-Za-z][A-Za-z0-9+.-]+`, "a URI scheme"},
		{"URIHOST", `%{IPORHOST}(?::%{POSINT})?`, "a host with an optional port"},
		{"URIPATH", `(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+`, "the path of a URI"},
		{"URIPARAM", `\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*`, "the query of a URI, from the ?"},
		{"URIPATHPARAM", `%{URIPATH}(?:%{URIPARAM})?`, "a URI path and its optional query"},
		{"URI", `%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?`, "an absolute URI"},

		// Dates and times.
		{"MONTH", `\b(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]un(?:e)?|[Jj]ul(?:y)?|` +
			`[Aa]ug(?:ust)?|[Ss]ep(?:t(?:ember)?)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\b`,
			"an English month name, full or abbreviated"},
		{"MONTHNUM", `1[0-2]|0?[1-9]`, "a month number, 1 to 12, zero-padded or not"},
		{"MONTHDAY", `3[01]|[12][0-9]|0?[1-9]`, "a day of the month, 1 to 31"},
		{"DAY", `\b(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)\b`,
			"an English day name, full or abbreviated"},
		{"YEAR", `[0-9]{2}(?:[0-9]{2})?`, "a year of two or four digits"},
		{"HOUR", `2[0-3]|[01]?[0-9]`, "an hour, 0 to 23"},
		{"MINUTE", `[0-5][0-9]`, "a minute, 00 to 59"},
		{"SECOND", `(?:60|[0-5]?[0-9])(?:[.,][0-9]+)?`, "a second, 00 to 60, with an optional fraction"},
		{"TIME", `%{HOUR}:%{MINUTE}:%{SECOND}`, "hh:mm:ss with an optional fraction"},
		{"DATE_US", `%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}`, "mm/dd/yyyy or mm-dd-yyyy"},
		{"DATE_EU", `%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}`, "dd.mm.yyyy, dd/mm/yyyy or dd-mm-yyyy"},
		{"DATE", `%{DATE_US}|%{DATE_EU}`, "a US or European date"},
		{"ISO8601_TIMEZONE", `Z|[+-]%{HOUR}(?::?%{MINUTE})?`, "Z, ±hh, ±hhmm or ±hh:mm"},
		{"TIMESTAMP_ISO8601", `%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?`,
			"an ISO 8601 / RFC 3339 date and time, zone optional"},
		{"DATESTAMP", `%{DATE}[- ]%{TIME}`, "a US or European date and a time"},
		{"TZ", `\b[A-Z]{2,5}\b`, "a time zone abbreviation such as UTC or CEST"},
		{"HTTPDATE", `%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} [+-][0-9]{4}`, "the access log time, 10/Oct/2000:13:55:36 -0700"},
		{"SYSLOGTIMESTAMP", `%{MONTH} +%{MONTHDAY} %{TIME}`, "the BSD syslog time, Dec  4 04:47:44"},

		// Syslog, levels, e-mail.
		{"PROG", `[\x21-\x5a\x5c\x5e-\x7e]+`, "a program name: printable, no brackets"},
		{"SYSLOGPROG", `%{PROG:process.name}(?:\[%{POSINT:process.pid:int}\])?`, "program[pid], captured as process.name and process.pid"},
		{"SYSLOGHOST", `%{IPORHOST}`, "the host of a syslog line"},
		{"SYSLOGFACILITY", `<%{NONNEGINT:log.syslog.facility.code:int}\.%{NONNEGINT:log.syslog.priority:int}>`, "<facility.priority>"},
		{"SYSLOGBASE", `%{SYSLOGTIMESTAMP:@timestamp:timestamp(rfc3164)} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:host.hostname} %{SYSLOGPROG}:`,
			"the BSD syslog header up to the colon after program[pid]"},
		{"LOGLEVEL", `\b(?:[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo(?:rmation)?|INFO(?:RMATION)?|` +
			`[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|` +
			`[Ss]evere|SEVERE|[Ee]merg(?:ency)?|EMERG(?:ENCY)?)\b`, "a log level such as INFO, Warning or err"},
		{"EMAILLOCALPART", `[a-zA-Z0-9!#$%&'*+/=?^_{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_{|}~-]+)*`, "the part of an address before the @"},
		{"EMAILADDRESS", `%{EMAILLOCALPART}@%{HOSTNAME}`, "an e-mail address"},

		// Web server access logs.
		{"HTTPDUSER", `%{EMAILADDRESS}|%{USER}`, "the user of an access log line"},
		{"QSCONTENT", `(?:[^"\\]|\\.)*`, "the inside of a double-quoted string with backslash escapes"},
		{"COMMONAPACHELOG", `%{IPORHOST:source.address} (?:-|%{HTTPDUSER:apache.access.user.identity}) (?:-|%{HTTPDUSER:user.name}) ` +
			`\[%{HTTPDATE:@timestamp:timestamp(clf)}\] ` +
			`"(?:%{WORD:http.request.method} %{NOTSPACE:url.original}(?: HTTP/%{NUMBER:http.version})?|%{QSCONTENT})" ` +
			`(?:-|%{INT:http.response.status_code:int}) (?:-|%{INT:http.response.body.bytes:int})`,
			"the NCSA common log format, captured as ECS fields"},
		{"COMBINEDAPACHELOG", `%{COMMONAPACHELOG} "(?:-|%{QSCONTENT:http.request.referrer})" "(?:-|%{QSCONTENT:user_agent.original})"`,
			"the combined log format of Apache and nginx, captured as ECS fields"},
	}
}
