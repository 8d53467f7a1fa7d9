package syslog

// Message is one parsed syslog message. Its byte slices are sub-slices of the parsed line:
// keep the line unchanged while they are in use. A nil slice is a field the message does
// not have or gave as "-".
type Message struct {
	// Priority is facility*8 + severity, or -1 when the message has none, as in files.
	Priority int
	// Version is the RFC 5424 protocol version, 0 for RFC 3164 messages.
	Version int
	// Timestamp is the time in Unix nanoseconds, when HasTimestamp.
	Timestamp    int64
	HasTimestamp bool
	// TimestampText is the time as written, also when it could not be read.
	TimestampText []byte

	Hostname []byte
	AppName  []byte // the tag of RFC 3164 messages, such as "sshd" or "sshd(pam_unix)"
	ProcID   []byte // the pid of RFC 3164 tags such as "sshd[123]:"
	MsgID    []byte

	// StructuredData is the RFC 5424 structured data as written, Elements the same parsed.
	StructuredData []byte
	Elements       []Element

	// Message is the free text (MSG), without a leading byte order mark.
	Message []byte

	params []Param // backing array of the Elements' Params
}

// Element is one RFC 5424 SD-ELEMENT: [id name="value" ...].
type Element struct {
	ID     []byte
	Params []Param
}

// Param is one SD-PARAM. Value is as written, escapes included: see AppendValue.
type Param struct {
	Name, Value []byte
}

// AppendValue appends the value with its escapes \", \\ and \] resolved; other
// backslashes stay, as RFC 5424 wants.
func (p Param) AppendValue(dst []byte) []byte {
	v := p.Value
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '"' || v[i+1] == '\\' || v[i+1] == ']') {
			i++
		}
		dst = append(dst, v[i])
	}
	return dst
}

// Facility returns the facility code (0 to 23), or -1 without a priority.
func (m *Message) Facility() int {
	if m.Priority < 0 {
		return -1
	}
	return m.Priority >> 3
}

// Severity returns the severity code (0 to 7), or -1 without a priority.
func (m *Message) Severity() int {
	if m.Priority < 0 {
		return -1
	}
	return m.Priority & 7
}

// reset empties m and keeps its memory.
func (m *Message) reset() {
	*m = Message{Priority: -1, Elements: m.Elements[:0], params: m.params[:0]}
}

// FacilityName returns the keyword of a facility code as syslog.conf writes it ("kern",
// "auth", "local7"), or "" for a code out of range.
func FacilityName(code int) string {
	switch code {
	case 0:
		return "kern"
	case 1:
		return "user"
	case 2:
		return "mail"
	case 3:
		return "daemon"
	case 4:
		return "auth"
	case 5:
		return "syslog"
	case 6:
		return "lpr"
	case 7:
		return "news"
	case 8:
		return "uucp"
	case 9:
		return "cron"
	case 10:
		return "authpriv"
	case 11:
		return "ftp"
	case 12:
		return "ntp"
	case 13:
		return "security"
	case 14:
		return "console"
	case 15:
		return "solaris-cron"
	}
	if code >= 16 && code <= 23 {
		const locals = "local0local1local2local3local4local5local6local7"
		return locals[6*(code-16) : 6*(code-16)+6]
	}
	return ""
}

// SeverityName returns the name of a severity code as RFC 5424 writes it ("Error",
// "Informational"), or "" for a code out of range.
func SeverityName(code int) string {
	switch code {
	case 0:
		return "Emergency"
	case 1:
		return "Alert"
	case 2:
		return "Critical"
	case 3:
		return "Error"
	case 4:
		return "Warning"
	case 5:
		return "Notice"
	case 6:
		return "Informational"
	case 7:
		return "Debug"
	}
	return ""
}

// LevelName returns a severity code as a log level: the lowercase name ("error",
// "informational"), or "" for a code out of range.
func LevelName(code int) string {
	switch code {
	case 0:
		return "emergency"
	case 1:
		return "alert"
	case 2:
		return "critical"
	case 3:
		return "error"
	case 4:
		return "warning"
	case 5:
		return "notice"
	case 6:
		return "informational"
	case 7:
		return "debug"
	}
	return ""
}
