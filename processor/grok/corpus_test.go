package grok

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/corpustest"
	"github.com/trolly-logs/trolly/processor/ecs"
)

// corpusLines returns the lines of a corpus file as a shipper splitting on LF sends them (a
// CR stays at the end); it skips the test when the corpus is missing.
func corpusLines(tb testing.TB, name string) [][]byte {
	tb.Helper()
	return corpustest.Lines(tb, name)
}

// corpusPatterns are patterns written for the formats of the corpus files.
var corpusPatterns = map[string][]string{
	"windows_2k.log": {`^%{TIMESTAMP_ISO8601:@timestamp}, %{WORD:log.level} +%{WORD:log.logger} +%{DATA:message}\r?$`},
	"apache_2k.log": {`^\[(?<@timestamp:timestamp(apache)>%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{YEAR})\] ` +
		`\[%{LOGLEVEL:log.level}\] %{DATA:message}\r?$`},
	"openssh_2k.log": {
		`^%{SYSLOGBASE} Invalid user %{USERNAME:user.name} from %{IP:source.ip:ip}`,
		`^%{SYSLOGBASE} Failed password for (?:invalid user )?%{USERNAME:user.name} from %{IP:source.ip:ip} port %{INT:source.port:int} ssh2`,
		`^%{SYSLOGBASE} %{DATA:message}\r?$`,
	},
}

// TestCorpus parses every line of the samples: each matches, converts without error, gets
// its time, and, where the pattern captures it, a message without the CR.
func TestCorpus(t *testing.T) {
	for name, patterns := range corpusPatterns {
		t.Run(name, func(t *testing.T) {
			lines := corpusLines(t, name)
			set, err := CompileAll(patterns, nil)
			require.NoError(t, err)
			hits := make([]int, len(patterns))
			var d ecs.Document
			for _, line := range lines {
				d.Reset()
				i, err := set.Match(line, &d, time.UTC, time.Date(2016, 12, 1, 0, 0, 0, 0, time.UTC).UnixNano())
				require.GreaterOrEqual(t, i, 0, "%q", line)
				require.NoError(t, err, "%q", line)
				hits[i]++
				_, hasTS := d.Timestamp()
				require.True(t, hasTS, "%q", line)
				if msg, ok := d.Message(); ok {
					require.NotContains(t, string(msg), "\r")
				}
				var fields map[string]any
				require.NoError(t, json.Unmarshal(d.AppendJSON(nil), &fields))
				require.NotEmpty(t, fields, "%q", line)
			}
			for i, n := range hits {
				require.Positive(t, n, "pattern %d matched no line", i)
			}
		})
	}
}

func TestCorpusFields(t *testing.T) {
	tests := []struct {
		file     string
		line     int // 0-based
		fields   string
		message  string
		wantTime time.Time
	}{
		{"windows_2k.log", 0, `{"log":{"level":"Info","logger":"CBS"}}`,
			`Loaded Servicing Stack v6.1.7601.23505 with Core: C:\Windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.1.7601.23505_none_681aa442f6fed7f0\cbscore.dll`,
			time.Date(2016, 9, 28, 4, 30, 30, 0, time.UTC)},
		{"apache_2k.log", 1, `{"log":{"level":"error"}}`, "mod_jk child workerEnv in error state 6",
			time.Date(2005, 12, 4, 4, 47, 44, 0, time.UTC)},
		{"openssh_2k.log", 1, `{"host":{"hostname":"LabSZ"},"process":{"name":"sshd","pid":24200},"source":{"ip":"173.234.31.186"},"user":{"name":"webmaster"}}`,
			"", time.Date(2016, 12, 10, 6, 55, 46, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			line := corpusLines(t, tt.file)[tt.line]
			set, err := CompileAll(corpusPatterns[tt.file], nil)
			require.NoError(t, err)
			var d ecs.Document
			i, err := set.Match(line, &d, time.UTC, time.Date(2016, 12, 1, 0, 0, 0, 0, time.UTC).UnixNano())
			require.GreaterOrEqual(t, i, 0)
			require.NoError(t, err)
			require.Equal(t, tt.fields, string(d.AppendJSON(nil)))
			msg, _ := d.Message()
			require.Equal(t, tt.message, string(msg))
			ns, _ := d.Timestamp()
			require.Equal(t, tt.wantTime, time.Unix(0, ns).UTC())
		})
	}
}
