package syslog

import (
	"errors"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"][x y="\]\"\\"] msg`,
		"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf'su root' failed",
		"<0>1 - - - - - -", "<14>1 - h a - - [ broken", "1 2024-01-02T03:04:05Z h a - -",
		"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\r",
		"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure;",
		"Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2", "<13>Jan  1 00:00:00 app: msg",
		"<13>Jan  2 2006 15:04:05 host app[1] x", "<30>2024-03-10T01:02:03.123456+01:00 web1 nginx[99]: started",
		"<13>", "<191>x", "<192>", "Feb 30 03:04:05 host app: msg", " <13>app[]: x\r\n\x00",
	} {
		f.Add([]byte(s))
	}
	var reused Message
	f.Fuzz(func(t *testing.T, line []byte) {
		var m Message
		err := Parse(line, &m, time.UTC, ref)
		if err != nil {
			require.True(t, errors.Is(err, ErrMalformed) != errors.Is(err, ErrTimestamp), "error %v", err)
		}
		if errors.Is(err, ErrMalformed) {
			return
		}
		require.GreaterOrEqual(t, m.Priority, -1)
		require.LessOrEqual(t, m.Priority, 191)
		require.Equal(t, m.Priority < 0, m.Facility() < 0)
		require.GreaterOrEqual(t, m.Version, 0)
		require.LessOrEqual(t, m.Version, 999)
		require.Equal(t, errors.Is(err, ErrTimestamp), len(m.TimestampText) > 0 && !m.HasTimestamp)
		for _, b := range [][]byte{m.TimestampText, m.Hostname, m.AppName, m.ProcID, m.MsgID, m.StructuredData, m.Message} {
			requireWithin(t, line, b)
		}
		for _, e := range m.Elements {
			require.NotEmpty(t, e.ID)
			requireWithin(t, m.StructuredData, e.ID)
			for _, p := range e.Params {
				require.NotEmpty(t, p.Name)
				requireWithin(t, m.StructuredData, p.Name)
				requireWithin(t, m.StructuredData, p.Value)
				require.LessOrEqual(t, len(p.AppendValue(nil)), len(p.Value))
			}
		}
		// A reused Message gives the same result as a new one.
		err2 := Parse(line, &reused, time.UTC, ref)
		require.Equal(t, err, err2)
		require.Equal(t, viewOf(&m), viewOf(&reused))
	})
}

// requireWithin fails unless b is empty or lies inside outer's memory.
func requireWithin(t *testing.T, outer, b []byte) {
	t.Helper()
	if len(b) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(outer)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	require.True(t, p >= start && p+uintptr(len(b)) <= start+uintptr(len(outer)), "%q is not a slice of %q", b, outer)
}

func TestParseDoesNotAllocate(t *testing.T) {
	for _, line := range []string{
		"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\r",
		`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"][x y="1"] msg`,
		"hello, not syslog",
	} {
		var m Message
		b := []byte(line)
		_ = Parse(b, &m, time.UTC, ref)
		require.Zero(t, testing.AllocsPerRun(100, func() { _ = Parse(b, &m, time.UTC, ref) }), line)
	}
}
