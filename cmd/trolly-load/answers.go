package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Readers of the systems' answers, each summarized as questions' want is. Trolly writes
// 64-bit integers as strings and leaves zeros out (proto3 JSON).

func trollyInt(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// trollyTotal reads the total of a search or a count.
func trollyTotal(body []byte) (string, error) {
	var r struct {
		Total *string `json:"total"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("read a total: %w", err)
	}
	if r.Total == nil {
		return "0", nil
	}
	n, err := trollyInt(*r.Total)
	return strconv.FormatInt(n, 10), err
}

func trollyHistogram(body []byte) (string, error) {
	var r struct {
		Buckets []struct {
			Count string `json:"count"`
		} `json:"buckets"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("read a histogram: %w", err)
	}
	var counts []int64
	for _, b := range r.Buckets {
		n, err := trollyInt(b.Count)
		if err != nil {
			return "", fmt.Errorf("read a histogram: %w", err)
		}
		counts = append(counts, n)
	}
	return bucketAnswer(counts), nil
}

func trollyFacets(body []byte) (string, error) {
	var r struct {
		Facets []struct {
			Field  string `json:"field"`
			Values []struct {
				Count string `json:"count"`
			} `json:"values"`
		} `json:"facets"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("read facets: %w", err)
	}
	for _, f := range r.Facets {
		if f.Field != facetField {
			continue
		}
		var counts []int64
		for _, v := range f.Values {
			n, err := trollyInt(v.Count)
			if err != nil {
				return "", fmt.Errorf("read facets: %w", err)
			}
			counts = append(counts, n)
		}
		return facetAnswer(sortedDown(counts)), nil
	}
	return "", fmt.Errorf("read facets: no facet of %s", facetField)
}

// vlogsRows reads the JSON lines of /select/logsql/query, each an object of strings.
func vlogsRows(body []byte) ([]map[string]string, error) {
	var rows []map[string]string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var row map[string]string
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, fmt.Errorf("read a row: %w", err)
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}

// vlogsHitRows checks the hits of a query and gives no answer: the count that follows
// does.
func vlogsHitRows(body []byte) (string, error) {
	rows, err := vlogsRows(body)
	if err != nil {
		return "", err
	}
	if len(rows) > hitsLimit {
		return "", fmt.Errorf("%d hits, more than the limit of %d", len(rows), hitsLimit)
	}
	return "", nil
}

// vlogsCount reads the single row {"n": "<count>"} of a `| count() as n` query.
func vlogsCount(body []byte) (string, error) {
	rows, err := vlogsRows(body)
	if err != nil {
		return "", err
	}
	if len(rows) != 1 {
		return "", fmt.Errorf("a count answered %d rows", len(rows))
	}
	n, err := strconv.ParseInt(rows[0]["n"], 10, 64)
	if err != nil {
		return "", fmt.Errorf("read a count: %w", err)
	}
	return strconv.FormatInt(n, 10), nil
}

// vlogsTop reads the rows {"<field>": value, "hits": count} of a top pipe.
func vlogsTop(body []byte) (string, error) {
	rows, err := vlogsRows(body)
	if err != nil {
		return "", err
	}
	var counts []int64
	for _, r := range rows {
		n, err := strconv.ParseInt(r["hits"], 10, 64)
		if err != nil {
			return "", fmt.Errorf("read a top value: %w", err)
		}
		counts = append(counts, n)
	}
	return facetAnswer(sortedDown(counts)), nil
}

// vlogsHits reads /select/logsql/hits: {"hits": [{"timestamps", "values", "total"}]}, a
// series per value of the fields asked (one, without fields).
func vlogsHits(body []byte) (string, error) {
	var r struct {
		Hits []struct {
			Values []int64 `json:"values"`
		} `json:"hits"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("read hits: %w", err)
	}
	var counts []int64
	for _, s := range r.Hits {
		counts = append(counts, s.Values...)
	}
	return bucketAnswer(counts), nil
}

// bucketAnswer summarizes a histogram: all it counts, and its buckets that count any.
func bucketAnswer(counts []int64) string {
	var total int64
	full := 0
	for _, c := range counts {
		total += c
		if c > 0 {
			full++
		}
	}
	return histogramAnswer(total, full)
}

func sortedDown(counts []int64) []int64 {
	slices.SortFunc(counts, func(a, b int64) int { return cmp.Compare(b, a) })
	return counts
}
