// Command trolly-flood sends one wave of requests at once, to measure what they cost a
// server: -mode ndjson sends -n bodies of -size bytes of NDJSON, -mode gzipbomb sends -n
// gzip bodies that inflate to -size bytes of zeros, and -mode login sends -n failed
// sign-ins, each for another e-mail, to -url (the API's /api/v1/auth/login). It prints how
// many requests got each status; read the server's peak memory (VmHWM) yourself.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8088/ingest/v1/streams/app", "native ingest endpoint")
	key := flag.String("key", "demo-ingest-key", "ingest key")
	mode := flag.String("mode", "ndjson", "ndjson, gzipbomb or login")
	n := flag.Int("n", 100, "requests, all sent at once")
	size := flag.Int("size", 10_000_000, "bytes of each body once decompressed")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up on a request after this long")
	flag.Parse()
	if *mode == "login" {
		fmt.Println(flood(*url, "", "", "application/json", func(i int) []byte {
			return fmt.Appendf(nil, `{"email":"nobody-%d@flood.example","password":"not the password"}`, i)
		}, *n, *timeout))
		return
	}
	body, enc, err := makeBody(*mode, *size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "trolly-flood:", err)
		os.Exit(2)
	}
	fmt.Println(flood(*url, *key, enc, "application/x-ndjson", func(int) []byte { return body }, *n, *timeout))
}

// makeBody returns one body of mode and its Content-Encoding.
func makeBody(mode string, size int) ([]byte, string, error) {
	switch mode {
	case "ndjson":
		var b bytes.Buffer
		for i := 0; b.Len() < size-200; i++ {
			fmt.Fprintf(&b, `{"level":"info","msg":"request served","i":%d,"path":"/api/v1/orders/%d","status":200,"pad":"%0100d"}`+"\n", i, i%1000, i)
		}
		return b.Bytes(), "", nil
	case "gzipbomb":
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zero := make([]byte, 1<<20)
		for left := size; left > 0; left -= len(zero) {
			if _, err := zw.Write(zero[:min(left, len(zero))]); err != nil {
				return nil, "", fmt.Errorf("compress: %w", err)
			}
		}
		if err := zw.Close(); err != nil {
			return nil, "", fmt.Errorf("compress: %w", err)
		}
		return b.Bytes(), "gzip", nil
	}
	return nil, "", fmt.Errorf("-mode %q: want ndjson or gzipbomb", mode)
}

// flood sends the n bodies of body(i) at once and counts the answers by status; an empty
// key sends no credential.
func flood(url, key, enc, contentType string, body func(i int) []byte, n int, timeout time.Duration) string {
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{MaxConnsPerHost: n, MaxIdleConnsPerHost: n}}
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	size := 0
	for i := range n {
		b := body(i)
		size = max(size, len(b))
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			req.Header.Set("Content-Type", contentType)
			if enc != "" {
				req.Header.Set("Content-Encoding", enc)
			}
			got := "error"
			if resp, err := client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				got = resp.Status
			}
			mu.Lock()
			counts[got]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out bytes.Buffer
	fmt.Fprintf(&out, "%d requests of up to %d bytes:", n, size)
	for _, k := range keys {
		fmt.Fprintf(&out, " %q x%d", k, counts[k])
	}
	return out.String()
}
