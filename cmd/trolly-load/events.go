package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/trolly-logs/trolly/processor"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// event is one generated line as the fields Trolly's nginx_access parser gives it, flat:
// "message", "@timestamp" and dotted ECS paths, values as JSON decodes them (numbers as
// json.Number, arrays as []any).
type event map[string]any

// bookkeeping are the fields Trolly stamps on every event itself; VictoriaLogs is sent the
// event's content only (it would store these as columns of its own).
var bookkeeping = []string{"event.id", "event.ingested", "organization.id", "data_stream.", "ecs."}

func isBookkeeping(path string) bool {
	for _, b := range bookkeeping {
		if path == b || (strings.HasSuffix(b, ".") && strings.HasPrefix(path, b)) {
			return true
		}
	}
	return false
}

// parseBody parses the lines of a request body with Trolly's own processor, as the
// nginx_access source type, and returns them as events without Trolly's bookkeeping.
func parseBody(body []byte, received time.Time) ([]event, error) {
	b := &trollyv1.RawBatch{
		Id: "load", TenantId: "load", TenantKey: "load.1", Stream: "web", SourceType: "nginx_access",
		ReceivedAt: timestamppb.New(received), Transport: "http",
	}
	for line := range bytes.SplitSeq(bytes.TrimSuffix(body, []byte("\n")), []byte("\n")) {
		b.Records = append(b.Records, &trollyv1.RawRecord{Data: line})
	}
	out, err := processor.Process(b)
	if err != nil {
		return nil, err
	}
	if len(out.GetEvents()) != len(b.Records) {
		return nil, fmt.Errorf("%d lines made %d events", len(b.Records), len(out.GetEvents()))
	}
	evs := make([]event, len(b.Records))
	for i, e := range out.GetEvents() {
		dec := json.NewDecoder(bytes.NewReader(e.GetSource()))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if tags, ok := doc["tags"]; ok {
			return nil, fmt.Errorf("line %q: tagged %v", b.Records[i].GetData(), tags)
		}
		evs[i] = event{}
		flatten(evs[i], "", doc)
	}
	return evs, nil
}

// flatten adds the members of doc to ev under their dotted paths, leaving bookkeeping out.
func flatten(ev event, prefix string, doc map[string]any) {
	for k, v := range doc {
		path := prefix + k
		if obj, ok := v.(map[string]any); ok {
			flatten(ev, path+".", obj)
		} else if !isBookkeeping(path) {
			ev[path] = v
		}
	}
}

// jsonLines is evs as VictoriaLogs' /insert/jsonline takes them, one object a line (with
// _msg_field=message and _time_field=@timestamp).
func jsonLines(evs []event) ([]byte, error) {
	var buf bytes.Buffer
	for _, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// corpus is the generated load, in both forms: bodies of raw lines for Trolly, the same
// events as JSON lines for VictoriaLogs, and the events themselves to know the answers.
type corpus struct {
	made   time.Time
	raw    [][]byte
	json   [][]byte
	events [][]event
}

func makeCorpus(batch int, made time.Time) (*corpus, error) {
	c := &corpus{made: made, raw: makeBodies(batch, made)}
	for i, body := range c.raw {
		evs, err := parseBody(body, made)
		if err != nil {
			return nil, fmt.Errorf("body %d: %w", i, err)
		}
		js, err := jsonLines(evs)
		if err != nil {
			return nil, err
		}
		c.events, c.json = append(c.events, evs), append(c.json, js)
	}
	return c, nil
}

// sent calls fn with each event the load of lines in batch-line requests sends, and how
// many times it is sent: request i sends the events of body i%len, the last one fewer.
func (c *corpus) sent(lines, batch int, fn func(ev event, times int)) {
	requests := (lines + batch - 1) / batch
	rounds, rest := requests/len(c.events), requests%len(c.events)
	last, lastN := (requests-1)%len(c.events), batch
	if lines%batch != 0 {
		lastN = lines % batch
	}
	for b, evs := range c.events {
		for i, ev := range evs {
			times := rounds
			if b < rest {
				times++
			}
			if b == last && i >= lastN {
				times--
			}
			if times > 0 {
				fn(ev, times)
			}
		}
	}
}
