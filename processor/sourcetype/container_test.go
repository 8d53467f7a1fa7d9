package sourcetype

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/ecstest"
)

var containerTime = time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC)

func TestDockerParser(t *testing.T) {
	tests := []struct {
		name, line string
		want       parsed
	}{
		{"stdout line", `{"log":"hello world\n","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}`,
			parsed{doc: `{"stream":"stdout"}`, msg: "hello world", time: containerTime}},
		{"escapes and CRLF", `{"log":"a \"b\" \u00e9\t\r\n","stream":"stderr","time":"2024-05-01T10:00:00.123456789Z"}`,
			parsed{doc: `{"stream":"stderr"}`, msg: "a \"b\" é\t", time: containerTime}},
		{"partial line alone", `{"log":"no end","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}`,
			parsed{doc: `{"stream":"stdout"}`, msg: "no end", time: containerTime}},
		{"joined partial lines", `{"log":"first ","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}` + "\n" +
			`{"log":"second ","stream":"stderr","time":"2024-05-01T10:00:01Z"}` + "\n" +
			`{"log":"last\n","stream":"stdout","time":"2024-05-01T10:00:02Z"}`,
			parsed{doc: `{"stream":"stdout"}`, msg: "first second last", time: containerTime}},
		{"attrs and other keys", ` { "attrs" : {"tag":"web","a.b":1} , "log":"x\n", "extra":[1,{"k":"v"}], "time":"2024-05-01T10:00:00.123456789Z" } `,
			parsed{doc: `{"docker":{"attrs":{"a":{"b":1},"tag":"web"}},"extra":[1,{"k":"v"}]}`, msg: "x", time: containerTime}},
		{"escaped stream and time", `{"log":"x","stream":"std\u006fut","time":"2024-05-01T10:00:00.123456789\u005a"}`,
			parsed{doc: `{"stream":"stdout"}`, msg: "x", time: containerTime}},
		{"empty log", `{"log":"","stream":"stdout"}`, parsed{doc: `{"stream":"stdout"}`, msg: ""}},
		{"bad time", `{"log":"x\n","stream":"stdout","time":"yesterday"}`,
			parsed{doc: `{"stream":"stdout"}`, msg: "x", err: ErrTimestamp}},

		{"no log", `{"stream":"stdout","time":"2024-05-01T10:00:00Z"}`, parsed{err: ErrNoMatch}},
		{"log not a string", `{"log":1}`, parsed{err: ErrNoMatch}},
		{"not JSON", `hello`, parsed{err: ErrNoMatch}},
		{"trailing data", `{"log":"x"} y`, parsed{err: ErrNoMatch}},
		{"unterminated", `{"log":"x`, parsed{err: ErrNoMatch}},
		{"bad escape", `{"log":"\x"}`, parsed{err: ErrNoMatch}},
		{"bad other value", `{"log":"x","a":tru}`, parsed{err: ErrNoMatch}},
		{"bad second line", `{"log":"x"}` + "\n" + `{"log":`, parsed{err: ErrNoMatch}},
		{"empty record", "\n", parsed{err: ErrNoMatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, DockerParser{}, tt.line)
			requireParsed(t, tt.want, got, "docker")
		})
	}
}

// requireParsed compares a parse with the expected one; on ErrNoMatch only the error counts,
// as the processor rolls the document back.
func requireParsed(t *testing.T, want, got parsed, name string) {
	t.Helper()
	if want.err == nil {
		require.NoError(t, got.err)
	} else {
		require.ErrorIs(t, got.err, want.err)
		require.Contains(t, got.err.Error(), name)
		if errors.Is(want.err, ErrNoMatch) {
			return
		}
	}
	got.err = want.err
	require.Equal(t, want, got)
}

func TestCRIParser(t *testing.T) {
	tests := []struct {
		name, line string
		want       parsed
	}{
		{"full line", `2024-05-01T10:00:00.123456789Z stdout F hello world`,
			parsed{doc: `{"stream":"stdout"}`, msg: "hello world", time: containerTime}},
		{"offset time and stderr", `2024-05-01T12:00:00.123456789+02:00 stderr F x`,
			parsed{doc: `{"stream":"stderr"}`, msg: "x", time: containerTime}},
		{"empty content", `2024-05-01T10:00:00.123456789Z stdout F `, parsed{doc: `{"stream":"stdout"}`, time: containerTime}},
		{"no content at all", `2024-05-01T10:00:00.123456789Z stdout F`, parsed{doc: `{"stream":"stdout"}`, time: containerTime}},
		{"spaces in content kept", `2024-05-01T10:00:00.123456789Z stdout F  a  b `,
			parsed{doc: `{"stream":"stdout"}`, msg: " a  b ", time: containerTime}},
		{"more tags", `2024-05-01T10:00:00.123456789Z stdout F:x y`, parsed{doc: `{"stream":"stdout"}`, msg: "y", time: containerTime}},
		{"joined partial lines", "2024-05-01T10:00:00.123456789Z stdout P first \n" +
			"2024-05-01T10:00:01Z stdout P second \r\n\n" +
			"2024-05-01T10:00:02Z stderr F last",
			parsed{doc: `{"stream":"stdout"}`, msg: "first second last", time: containerTime}},

		{"no tag", `2024-05-01T10:00:00Z stdout hello`, parsed{err: ErrNoMatch}},
		{"other stream", `2024-05-01T10:00:00Z stdin F x`, parsed{err: ErrNoMatch}},
		{"not a time", `2024-05-01T10:00:00ZZ stdout F x`, parsed{err: ErrNoMatch}},
		{"text", `hello stdout F x`, parsed{err: ErrNoMatch}},
		{"bad joined line", "2024-05-01T10:00:00Z stdout P a\nnot cri", parsed{err: ErrNoMatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, CRIParser{}, tt.line)
			requireParsed(t, tt.want, got, "cri")
		})
	}
}

func TestPartial(t *testing.T) {
	tests := []struct {
		name string
		p    Partialer
		line string
		want bool
	}{
		{"docker full", DockerParser{}, `{"log":"x\n","stream":"stdout"}`, false},
		{"docker partial", DockerParser{}, `{"log":"x","stream":"stdout"}`, true},
		{"docker escaped backslash then n", DockerParser{}, `{"log":"x\\n"}`, true},
		{"docker escaped backslash then newline", DockerParser{}, `{"log":"x\\\n"}`, false},
		{"docker joined, last full", DockerParser{}, `{"log":"x"}` + "\n" + `{"log":"y\n"}`, false},
		{"docker not docker", DockerParser{}, `{"msg":"x"}`, false},
		{"cri partial", CRIParser{}, `2024-05-01T10:00:00Z stdout P x`, true},
		{"cri full", CRIParser{}, `2024-05-01T10:00:00Z stdout F x`, false},
		{"cri not cri", CRIParser{}, `P x`, false},
		{"auto docker partial", AutoParser{Registry: Builtin()}, `{"log":"x"}`, true},
		{"auto cri partial", AutoParser{Registry: Builtin()}, `2024-05-01T10:00:00Z stdout P x`, true},
		{"auto json", AutoParser{Registry: Builtin()}, `{"msg":"x"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.p.Partial([]byte(tt.line)))
		})
	}
}

// FuzzContainer checks both container parsers on any input, and that a log text written
// by a JSON encoder, split into partial lines, joins back unchanged.
func FuzzContainer(f *testing.F) {
	f.Add(`{"log":"a\n","stream":"stdout","time":"2024-05-01T10:00:00Z"}`, "hello \"x\" \xff\n", 3)
	f.Add("2024-05-01T10:00:00Z stdout P a\n2024-05-01T10:00:00Z stdout F b", "", 1)
	f.Add(`{"attrs":{"x":[{"y":null}]},"log":"\ud800"}`, "é\t", 0)
	f.Fuzz(func(t *testing.T, line, text string, cut int) {
		for _, p := range []Parser{DockerParser{}, CRIParser{}} {
			var d ecs.Document
			err := p.Parse([]byte(line), &d, testEnv())
			if err != nil {
				require.True(t, errors.Is(err, ErrNoMatch) || errors.Is(err, ErrTimestamp), "%T: error %v wraps no sentinel", p, err)
			}
			out := d.AppendJSON(nil)
			require.NoError(t, ecstest.Check(out), "%T: line %q gave %s", p, line, out)
			p.(Partialer).Partial([]byte(line))
		}
		if strings.ContainsAny(text, "\r\n") {
			return // line ends are the parsers' to remove
		}
		var want string
		quoted, _ := json.Marshal(text)
		require.NoError(t, json.Unmarshal(quoted, &want))
		parts := splitAt(want, cut)
		var lines []string
		for i, part := range parts {
			if i == len(parts)-1 {
				part += "\n"
			}
			q, _ := json.Marshal(part)
			lines = append(lines, `{"log":`+string(q)+`,"stream":"stdout","time":"2024-05-01T10:00:00Z"}`)
			require.Equal(t, i < len(parts)-1, DockerParser{}.Partial([]byte(lines[i])))
		}
		got := run(t, DockerParser{}, strings.Join(lines, "\n"))
		require.NoError(t, got.err)
		require.Equal(t, want, got.msg)
	})
}

// splitAt cuts s into up to 3 pieces at rune boundaries derived from cut.
func splitAt(s string, cut int) []string {
	if len(s) == 0 || cut <= 0 {
		return []string{s}
	}
	i := runeStart(s, cut%(len(s)+1))
	j := runeStart(s, i+(len(s)-i)/2)
	return []string{s[:i], s[i:j], s[j:]}
}

func runeStart(s string, i int) int {
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}

func BenchmarkParseDocker(b *testing.B) {
	benchParser(b, DockerParser{}, [][]byte{
		[]byte(`{"log":"10.0.0.1 - - [01/May/2024:10:00:00 +0000] \"GET /api/v1/users HTTP/1.1\" 200 512\n","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}`),
		[]byte(`{"log":"level=warn msg=\"slow request\" took=1.2s\n","stream":"stderr","time":"2024-05-01T10:00:01.000000001Z"}`),
	})
}

func BenchmarkParseCRI(b *testing.B) {
	benchParser(b, CRIParser{}, [][]byte{
		[]byte(`2024-05-01T10:00:00.123456789Z stdout F 10.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET /api/v1/users HTTP/1.1" 200 512`),
		[]byte(`2024-05-01T10:00:01.000000001Z stderr F level=warn msg="slow request" took=1.2s`),
	})
}
