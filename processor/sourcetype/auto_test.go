package sourcetype

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/corpustest"
	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

func TestDetect(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"log":"x\n","stream":"stdout","time":"2024-05-01T10:00:00Z"}`, Docker},
		{`{"msg":"x","log":"y"}`, JSON},
		{`{"log":{"level":"info"}}`, JSON},
		{`{not json`, JSON},
		{`<34>Oct 11 22:14:15 mymachine su: 'su root' failed`, Syslog},
		{`<38>Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster`, SSHD},
		{`<38>Dec 10 06:55:46 sshd[24200]: Invalid user webmaster`, SSHD},
		{`<38>2024-05-01T10:00:00Z host sshd: x`, SSHD},
		{`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - msg`, Syslog},
		{`<165>1 2003-10-11T22:14:15.003Z host sshd 123 - - Accepted`, SSHD},
		{`<134>1 2024-05-01T10:00:00Z host app - - - CEF:0|V|P|1|id|n|5|src=1.2.3.4`, CEF},
		{`<134>May  1 10:00:00 fw01 CEF:0|V|P|1|id|n|5|src=1.2.3.4`, CEF},
		{`<999>May  1 10:00:00 host prog: x`, Text},
		{`<12`, Text},
		{`Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster`, SSHD},
		{`Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure`, Syslog},
		{`Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2`, Syslog},
		{`Jul 7 08:06:15 host kernel: x`, Syslog},
		{`Jul 17 08:06 host kernel: x`, Text},
		{`2024-05-01T10:00:00.123456+02:00 web1 sshd[12]: Accepted publickey for root`, SSHD},
		{`2024-05-01T10:00:00.123456+02:00 web1 systemd[1]: Started x.`, Syslog},
		{`2024-05-01T10:00:00Z web1 kernel: x`, Syslog},
		{`2024-05-01T10:00:00Z INFO starting server`, Text},
		{`2024-05-01T10:00:00Z h :`, Text},
		{`<38>May  1 10:00:00 web1 sshd x`, Syslog},
		{`Jan 12 15:04:05`, Text},
		{`Jan 12 15:04:05 `, Syslog},
		{`CEF:0|V|P|1|id|n|5|`, CEF},
		{`2016-10-06T00:17:09.669794202Z stdout F log content`, CRI},
		{`2016-10-06T00:17:09Z stderr P part`, CRI},
		{`2016-10-06T00:17:09Z stdin F x`, Text},
		{`[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok`, ApacheError},
		{`[2024-05-01 10:00:00] app.INFO: x`, Text},
		{`2024/05/01 10:00:00 [error] 1#1: *1 open() failed`, NginxError},
		{`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`, NginxAccess},
		{`www.example.com:443 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "-"`, ApacheAccess},
		{`a b [x] "`, Text},
		{`ts=2024-05-01T10:00:00Z level=info msg=hi`, Logfmt},
		{`@timestamp=x`, Logfmt},
		{`=x`, Text},
		{`2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack`, Text},
		{`just text`, Text},
		{``, Text},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			require.Equal(t, tt.want, Detect([]byte(tt.line)))
		})
	}
}

func TestAutoParser(t *testing.T) {
	tests := []struct {
		name    string
		reg     *Registry
		line    string
		dataset string
		want    parsed
	}{
		{"logfmt", Builtin(), `level=info msg=hi`, Logfmt, parsed{doc: `{"log":{"level":"info"}}`, msg: "hi"}},
		{"cri", Builtin(), `2024-05-01T10:00:00.123456789Z stdout F x`, CRI,
			parsed{doc: `{"stream":"stdout"}`, msg: "x", time: containerTime}},
		{"text", Builtin(), `hello`, Text, parsed{doc: `{}`}},
		{"a failure is kept", Builtin(), `{"a":`, JSON, parsed{err: ErrNoMatch}},
		{"an unknown type is text", NewRegistry(), `level=info msg=hi`, Text, parsed{doc: `{}`}},
		{"no registry is text", nil, `level=info`, Text, parsed{doc: `{}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d ecs.Document
			env := testEnv()
			err := AutoParser{Registry: tt.reg}.Parse([]byte(tt.line), &d, env)
			require.Equal(t, tt.dataset, env.Dataset)
			got := parsed{doc: string(d.AppendJSON(nil)), err: err}
			if m, ok := d.Message(); ok {
				got.msg = string(m)
			}
			if ns, ok := d.Timestamp(); ok {
				got.time = containerTime
				require.Equal(t, containerTime.UnixNano(), ns)
			}
			requireParsed(t, tt.want, got, tt.dataset)
		})
	}
}

// corpusLines returns the lines of a corpus file as the processor hands them to parsers,
// line ends removed; it skips the test when the corpus is missing.
func corpusLines(tb testing.TB, name string) [][]byte {
	tb.Helper()
	lines := corpustest.Lines(tb, name)
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, "\r\n")
	}
	return lines
}

// TestAutoCorpus runs auto over every line of the public samples: each gets the dataset of
// its file and parses.
func TestAutoCorpus(t *testing.T) {
	auto := AutoParser{Registry: Builtin()}
	for file, want := range map[string]string{
		"linux_2k.log":   Syslog,
		"openssh_2k.log": SSHD,
		"apache_2k.log":  ApacheError,
		"windows_2k.log": Text,
	} {
		t.Run(file, func(t *testing.T) {
			lines := corpusLines(t, file)
			require.NotEmpty(t, lines)
			var d ecs.Document
			for i, line := range lines {
				d.Reset()
				env := testEnv()
				err := auto.Parse(line, &d, env)
				require.Equal(t, want, env.Dataset, "line %d: %s", i+1, line)
				require.NoError(t, err, "line %d: %s", i+1, line)
			}
		})
	}
}

// FuzzAuto checks that any line gets the dataset Detect names, a well-formed document and
// only sentinel errors.
func FuzzAuto(f *testing.F) {
	for _, s := range []string{
		`<38>Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster`,
		`<134>1 2024-05-01T10:00:00Z host app - - - CEF:0|V|P|1|id|n|5|src=1.2.3.4`,
		`Jan 12 15:04:05 h p: x`,
		`[Sun Dec 04 04:47:44 2005] [notice] x`,
		`2016-10-06T00:17:09Z stdout F x`,
		`v:80 h - - [x] "GET / HTTP/1.0" 200 1`,
		`{"log":"x\n"}`,
		`a=b`,
	} {
		f.Add(s)
	}
	auto := AutoParser{Registry: Builtin()}
	f.Fuzz(func(t *testing.T, line string) {
		var d ecs.Document
		env := testEnv()
		err := auto.Parse([]byte(line), &d, env)
		require.Equal(t, Detect([]byte(line)), env.Dataset)
		if err != nil {
			require.True(t, errors.Is(err, ErrNoMatch) || errors.Is(err, ErrTimestamp), "error %v wraps no sentinel", err)
		}
		require.NoError(t, ecstest.Check(d.AppendJSON(nil)))
		auto.Partial([]byte(line))
	})
}

func BenchmarkParseAuto(b *testing.B) {
	var lines [][]byte
	for _, f := range []string{"linux_2k.log", "openssh_2k.log", "apache_2k.log", "windows_2k.log"} {
		lines = append(lines, corpusLines(b, f)...)
	}
	benchParser(b, AutoParser{Registry: Builtin()}, lines)
}

func BenchmarkDetect(b *testing.B) {
	var lines [][]byte
	var size int
	for _, f := range []string{"linux_2k.log", "openssh_2k.log", "apache_2k.log", "windows_2k.log"} {
		for _, l := range corpusLines(b, f) {
			lines = append(lines, l)
			size += len(l)
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(size / len(lines)))
	n := 0
	for b.Loop() {
		Detect(lines[n%len(lines)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}
