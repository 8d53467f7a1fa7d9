package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/trolly-logs/trolly/internal/corpustest"
)

// accessLine is one nginx combined-format line and what it should become.
type accessLine struct {
	text   string
	ip     string
	method string
	path   string
	status int
	bytes  int
	agent  string
	at     time.Time
}

// accessLines makes n varied combined-format lines, one second apart from start, written
// in the +01:00 zone so that the test sees the conversion to UTC.
func accessLines(n int, start time.Time) []accessLine {
	zone := time.FixedZone("", 3600)
	methods := []string{"GET", "POST", "PUT", "DELETE"}
	statuses := []int{200, 200, 201, 301, 404, 500}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "Go-http-client/1.1"}
	out := make([]accessLine, n)
	for i := range n {
		l := accessLine{
			ip:     fmt.Sprintf("10.0.%d.%d", i/250, 1+i%250),
			method: methods[i%len(methods)],
			path:   fmt.Sprintf("/shop/item/%d?ref=e2e", i),
			status: statuses[i%len(statuses)],
			bytes:  100 + i,
			agent:  agents[i%len(agents)],
			at:     start.Add(time.Duration(i) * time.Second).Truncate(time.Second),
		}
		l.text = fmt.Sprintf(`%s - alice [%s] "%s %s HTTP/1.1" %d %d "https://shop.example/" "%s"`,
			l.ip, l.at.In(zone).Format("02/Jan/2006:15:04:05 -0700"), l.method, l.path, l.status, l.bytes, l.agent)
		out[i] = l
	}
	return out
}

func texts(ls []accessLine) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

// corpusLines returns the non-blank lines of a corpus file, without line endings, or skips
// that part of the test when the corpus is missing.
func corpusLines(t *testing.T, name string) []string {
	t.Helper()
	dir := corpustest.Dir()
	if dir == "" {
		t.Logf("corpus not found (set CORPUS_DIR, or place it at ../shared/corpus): corpus lines not sent")
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// hasPhrase tells whether words occur in sequence in line, tokenised as the search index
// does: runs of letters and digits, case-folded.
func hasPhrase(line string, words ...string) bool {
	toks := strings.FieldsFunc(strings.ToLower(line), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i := 0; i+len(words) <= len(toks); i++ {
		match := true
		for j, w := range words {
			if toks[i+j] != w {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
