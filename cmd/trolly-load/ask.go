package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// api is how one system's API is reached.
type api struct {
	base     string
	auth     string // Authorization header, or empty
	from, to string // the names of the range's parameters
	client   *http.Client
}

// answer is what a system answered a question: the median latency of its runs and the
// summary of the last one.
type answer struct {
	latency time.Duration
	text    string
	note    string // how it was asked, when not as the question says
	missing bool   // the system has no endpoint for the question
	err     error
}

// errMissing is an answer 404 or 501: the endpoint does not exist (yet).
var errMissing = errors.New("endpoint missing")

// ask asks calls of a, one after the other, runs times over [from, to), and returns the
// median of the runs' total latencies and the last non-empty summary.
func ask(a api, calls []call, from, to time.Time, runs int) answer {
	var lat []time.Duration
	var ans answer
	for range runs {
		var took time.Duration
		for _, c := range calls {
			text, d, err := a.get(c, from, to)
			if err != nil {
				ans.err, ans.missing = err, errors.Is(err, errMissing)
				return ans
			}
			took += d
			if text != "" {
				ans.text = text
			}
		}
		lat = append(lat, took)
	}
	ans.latency = median(lat)
	return ans
}

// askTrolly asks q of Trolly, through its fallback when the endpoint is missing.
func askTrolly(a api, q question, from, to time.Time, runs int) answer {
	ans := ask(a, []call{q.trolly}, from, to, runs)
	if ans.missing && q.fallback != nil {
		ans = ask(a, []call{*q.fallback}, from, to, runs)
		ans.note = fmt.Sprintf("%s is missing: asked %s?%s", q.trolly.path, q.fallback.path, q.fallback.params.Encode())
	}
	return ans
}

// get makes one call and returns its summary and how long it took, the body read whole.
func (a api) get(c call, from, to time.Time) (string, time.Duration, error) {
	v := url.Values{}
	for k, vs := range c.params {
		v[k] = vs
	}
	v.Set(a.from, from.UTC().Format(time.RFC3339))
	v.Set(a.to, to.UTC().Format(time.RFC3339))
	req, err := http.NewRequest(http.MethodGet, a.base+c.path+"?"+v.Encode(), nil)
	if err != nil {
		return "", 0, err
	}
	if a.auth != "" {
		req.Header.Set("Authorization", a.auth)
	}
	began := time.Now()
	resp, err := a.client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("GET %s: %w", c.path, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(began)
	switch {
	case err != nil:
		return "", 0, fmt.Errorf("GET %s: %w", c.path, err)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNotImplemented:
		return "", 0, fmt.Errorf("GET %s: %s: %w", c.path, resp.Status, errMissing)
	case resp.StatusCode != http.StatusOK:
		return "", 0, fmt.Errorf("GET %s: %s: %s", c.path, resp.Status, strings.TrimSpace(string(body[:min(len(body), 300)])))
	}
	text, err := c.answer(body)
	if err != nil {
		return "", 0, fmt.Errorf("GET %s: %w", c.path, err)
	}
	return text, took, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
